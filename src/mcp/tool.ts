import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types";
import { z } from "zod";
import { TenantPairError } from "../errors.ts";
import type { TenantPair } from "../tenant_pair.ts";
import type { Identity } from "./identity.ts";
import type { InFlight } from "./in_flight.ts";
import type { Logger } from "./logger.ts";
import { openObject } from "./outputs.ts";

/** The parts of a pair that resources expose. */
export type PairPart = "state" | "members" | "events";

/** Services shared by every tool handler. */
export interface ToolContext {
  /** The library. */
  tenants: TenantPair;
  /** The caller's identity. */
  identity: Identity;
  /** The log for caught errors. */
  logger: Logger;
  /** The server's release, from `deno.json`. */
  version: string;
  /** Counts running handlers, so a stopping server can finish them. */
  inFlight: InFlight;
  /** Tells resource subscribers that parts of a pair changed. */
  touch(pairId: string, parts: readonly PairPart[]): void;
}

/** A tool handler's result on success. */
export interface ToolOutcome<T> {
  /** One line for people and models, before the JSON. */
  summary: string;
  /** The `structuredContent`, matching the tool's output schema. */
  data: T;
}

/** A tool's effect on the pair, for the MCP annotations. */
export type ToolEffect = "read" | "write" | "destructive";

/** A tool with its schemas, annotations and handler. */
export interface ToolSpec<
  I extends z.ZodRawShape,
  O extends z.ZodRawShape,
> {
  /** The tool name clients call. */
  name: string;
  /** A short human title. */
  title: string;
  /** Guidance for a model: when to use the tool and what it returns. */
  description: string;
  /** Argument schemas by name. */
  input: I;
  /** Result schemas by name. */
  output: O;
  /** Whether the tool reads, writes, or removes or overwrites data. */
  effect: ToolEffect;
  /** Whether calling again with the same arguments changes nothing more. */
  idempotent: boolean;
  /**
   * Runs the tool on checked arguments. The SDK checks the returned data
   * against `output` before sending it. The type stays loose here because
   * the output objects accept extra fields, and the library's record
   * interfaces cannot be typed against such objects.
   */
  run(
    args: z.output<z.ZodObject<I>>,
    ctx: ToolContext,
  ): Promise<ToolOutcome<object>>;
}

/** A tool ready to be registered on a server. */
export interface Tool {
  /** The tool name. */
  readonly name: string;
  /** Whether the tool only reads. */
  readonly readOnly: boolean;
  /** Registers the tool on `server`, running handlers with `ctx`. */
  register(server: McpServer, ctx: ToolContext): void;
}

/** Wraps a spec into a {@linkcode Tool}; its type parameters stay inside. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  spec: ToolSpec<I, O>,
): Tool {
  return {
    name: spec.name,
    readOnly: spec.effect === "read",
    register(server, ctx) {
      // Strict, so a misspelt or unknown argument is an error naming it
      // instead of being dropped.
      // NOTE: The SDK answers invalid arguments before the handler runs, so
      // those failures reach the client but not this server's log.
      const inputSchema: z.ZodObject = z.strictObject(spec.input);
      const outputSchema: z.ZodObject = openObject(spec.output);
      server.registerTool(spec.name, {
        title: spec.title,
        description: spec.description,
        inputSchema,
        outputSchema,
        annotations: {
          title: spec.title,
          readOnlyHint: spec.effect === "read",
          destructiveHint: spec.effect === "destructive",
          idempotentHint: spec.idempotent,
          openWorldHint: false,
        },
      }, (args) =>
        ctx.inFlight.run(async () => {
          try {
            // The SDK parsed the arguments with inputSchema, built from spec.input.
            const outcome = await spec.run(
              args as z.output<z.ZodObject<I>>,
              ctx,
            );
            return successResult(outcome);
          } catch (error) {
            return failureResult(spec.name, error, ctx.logger);
          }
        }));
    },
  };
}

/** Renders a success as text plus `structuredContent`. */
export function successResult(outcome: ToolOutcome<unknown>): CallToolResult {
  const data = outcome.data as Record<string, unknown>;
  return {
    content: [{
      type: "text",
      text: `${outcome.summary}\n\n${JSON.stringify(data, null, 2)}`,
    }],
    structuredContent: data,
  };
}

/**
 * Renders an error as an `isError` result with `CODE: message` text. It
 * carries no `structuredContent`, because clients check that against the
 * success schema. The code is also in `_meta` for programs.
 */
export function failureResult(
  tool: string,
  error: unknown,
  logger: Logger,
): CallToolResult {
  if (error instanceof TenantPairError) {
    logger.info(`Tool ${tool} failed: ${error.code}: ${error.message}`);
    const field = error.details?.field;
    return {
      content: [{ type: "text", text: `${error.code}: ${error.message}` }],
      isError: true,
      _meta: {
        "tenant-pair/error": {
          code: error.code,
          ...(typeof field === "string" ? { field } : {}),
        },
      },
    };
  }
  logger.error(`Tool ${tool} failed unexpectedly`, error);
  return {
    content: [{
      type: "text",
      text:
        `INTERNAL_ERROR: Tool ${tool} failed unexpectedly; see the server log on stderr for details`,
    }],
    isError: true,
    _meta: { "tenant-pair/error": { code: "INTERNAL_ERROR" } },
  };
}
