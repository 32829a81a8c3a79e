// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { TenantPair } from "../tenant_pair.ts";
import { Identity } from "./identity.ts";
import { InFlight } from "./in_flight.ts";
import { createLogger, type Logger } from "./logger.ts";
import { PairResources } from "./resources.ts";
import type { Tool, ToolContext } from "./tool.ts";
import { MEMBER_TOOLS } from "./tools_members.ts";
import { PAIR_TOOLS } from "./tools_pairs.ts";
import { PREFERENCE_TOOLS } from "./tools_preferences.ts";
import { PRIVACY_TOOLS } from "./tools_privacy.ts";
import { STATE_TOOLS } from "./tools_state.ts";

/** Every tool the server offers, in the order `tools/list` shows them. */
export const TOOLS: readonly Tool[] = [
  ...PAIR_TOOLS,
  ...MEMBER_TOOLS,
  ...PREFERENCE_TOOLS,
  ...STATE_TOOLS,
  ...PRIVACY_TOOLS,
];

/** Options for {@linkcode createTenantPairServer}. */
export interface TenantPairServerOptions {
  /** The library the tools call. The caller keeps and closes its store. */
  tenants: TenantPair;
  /** The member this server acts for; unset trusts the arguments. */
  memberId?: string;
  /** The release reported in `initialize`. */
  version: string;
  /**
   * The log for caught errors.
   * @default {a logger writing info and above to stderr}
   */
  logger?: Logger;
}

/** An MCP server over a {@linkcode TenantPair}, not yet connected. */
export interface TenantPairServer {
  /** The SDK server; connect it to a transport. */
  server: McpServer;
  /**
   * Waits for running requests, then stops change subscriptions and closes
   * the connection.
   */
  close(): Promise<void>;
}

const INSTRUCTIONS =
  "Shares state between the members of a pair (a couple, family or small group): invites, private preferences, shared values with history, conflicts, and data export and erasure. Call whoami first: on a bound server member arguments may be left out; otherwise name the acting member in each call.";

/**
 * Creates the MCP server: every tool, the pair resources and their
 * subscriptions. The caller connects a transport.
 */
export function createTenantPairServer(
  options: TenantPairServerOptions,
): TenantPairServer {
  const logger = options.logger ?? createLogger("info");
  const identity = new Identity(options.memberId);
  const inFlight = new InFlight();
  const server = new McpServer(
    { name: "tenant-pair", version: options.version },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { subscribe: true, listChanged: false },
      },
      instructions: INSTRUCTIONS,
    },
  );
  const resources = new PairResources(
    server,
    options.tenants,
    identity,
    logger,
    inFlight,
  );
  const ctx: ToolContext = {
    tenants: options.tenants,
    identity,
    logger,
    version: options.version,
    inFlight,
    touch: (pairId, parts) => resources.touch(pairId, parts),
  };
  for (const tool of TOOLS) tool.register(server, ctx);
  resources.register();

  return {
    server,
    async close() {
      await inFlight.settled();
      // The SDK sends a response a few promise steps after its handler
      // settles, and closing aborts unsent responses. One timer turn lets
      // those sends run first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await resources.close();
      await server.close();
    },
  };
}
