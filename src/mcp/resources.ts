// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import {
  type McpServer,
  ResourceTemplate,
} from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  ErrorCode,
  type ListResourcesResult,
  McpError,
  type ReadResourceResult,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { TenantPairError } from "../errors.ts";
import { idSchema, parseField } from "../schemas.ts";
import type { TenantPair } from "../tenant_pair.ts";
import type { EventRecord, StateChange, Unsubscribe } from "../types.ts";
import { type Identity, requireReader } from "./identity.ts";
import type { InFlight } from "./in_flight.ts";
import type { Logger } from "./logger.ts";
import type { PairPart } from "./tool.ts";

const PARTS: readonly PairPart[] = ["state", "members", "events"];

/** The JSON-RPC code MCP uses for a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;

/** How many of the latest events the events resource shows. */
const EVENTS_SHOWN = 100;

const DESCRIPTIONS: Record<PairPart, string> = {
  state:
    'The pair\'s shared state in the "default" namespace: current values, revision and conflict count.',
  members: "The pair's active members with their roles and display names.",
  events: `The pair's latest ${EVENTS_SHOWN} audit events, oldest first.`,
};

/** Builds the URI of one part of a pair. */
export function pairResourceUri(pairId: string, part: PairPart): string {
  return `tenant-pair://pairs/${encodeURIComponent(pairId)}/${part}`;
}

/** Splits a pair resource URI, or returns `undefined` for any other URI. */
export function parsePairResourceUri(
  uri: string,
): { pairId: string; part: PairPart } | undefined {
  const match = /^tenant-pair:\/\/pairs\/([^/?#]+)\/([a-z]+)$/.exec(uri);
  if (match === null) return undefined;
  const part = PARTS.find((name) => name === match[2]);
  if (part === undefined) return undefined;
  let pairId: string;
  try {
    pairId = decodeURIComponent(match[1] as string);
  } catch {
    return undefined;
  }
  return { pairId, part };
}

/** Turns a library error into the JSON-RPC error a resource request gets. */
function toProtocolError(error: unknown): unknown {
  if (!(error instanceof TenantPairError)) return error;
  const code = error.code === "PAIR_NOT_FOUND"
    ? RESOURCE_NOT_FOUND
    : error.code === "STORE_UNAVAILABLE" || error.code === "STORAGE_FULL"
    ? ErrorCode.InternalError
    : ErrorCode.InvalidParams;
  return new McpError(code, `${error.code}: ${error.message}`);
}

/**
 * The `tenant-pair://pairs/{pairId}/state|members|events` resources, and
 * subscriptions that send `notifications/resources/updated` when a pair
 * changes.
 *
 * NOTE: State changes come from the library's change feed, so they include
 * writes by other processes where the store reports them (PostgreSQL).
 * Member and event changes are announced only for calls made through this
 * server.
 */
export class PairResources {
  #server: McpServer;
  #tenants: TenantPair;
  #identity: Identity;
  #logger: Logger;
  #inFlight: InFlight;
  /** Subscribed parts per pair. */
  #subscribed = new Map<string, Set<PairPart>>();
  /** The library subscription of each pair with subscribed parts. */
  #feeds = new Map<string, Promise<Unsubscribe>>();

  /** Prepares the resources of a server; call {@linkcode register} next. */
  constructor(
    server: McpServer,
    tenants: TenantPair,
    identity: Identity,
    logger: Logger,
    inFlight: InFlight,
  ) {
    this.#server = server;
    this.#tenants = tenants;
    this.#identity = identity;
    this.#logger = logger;
    this.#inFlight = inFlight;
  }

  /** Registers the three resource templates and the subscription handlers. */
  register(): void {
    for (const part of PARTS) {
      const template = new ResourceTemplate(
        `tenant-pair://pairs/{pairId}/${part}`,
        { list: () => this.#list(part) },
      );
      this.#server.registerResource(`pair-${part}`, template, {
        title: `Pair ${part}`,
        description: DESCRIPTIONS[part],
        mimeType: "application/json",
      }, (uri) =>
        this.#inFlight.run(async () => {
          try {
            return await this.#read(uri.href);
          } catch (error) {
            throw toProtocolError(error);
          }
        }));
    }
    const server = this.#server.server;
    server.setRequestHandler(
      SubscribeRequestSchema,
      (request) =>
        this.#inFlight.run(async () => {
          try {
            await this.#subscribe(request.params.uri);
          } catch (error) {
            throw toProtocolError(error);
          }
          return {};
        }),
    );
    server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      await this.#unsubscribe(request.params.uri);
      return {};
    });
  }

  /** Sends an update for each subscribed part of the pair among `parts`. */
  touch(pairId: string, parts: readonly PairPart[]): void {
    const subscribed = this.#subscribed.get(pairId);
    if (subscribed === undefined) return;
    for (const part of parts) {
      if (subscribed.has(part)) this.#notify(pairResourceUri(pairId, part));
    }
  }

  /** Stops every library subscription. */
  async close(): Promise<void> {
    const feeds = [...this.#feeds.values()];
    this.#feeds.clear();
    this.#subscribed.clear();
    for (const feed of feeds) {
      try {
        await (await feed)();
      } catch (error) {
        this.#logger.error("Cannot stop a change subscription", error);
      }
    }
  }

  async #list(part: PairPart): Promise<ListResourcesResult> {
    const member = this.#identity.boundMemberId;
    // Unbound, the server cannot tell whose pairs to list.
    if (member === undefined) return { resources: [] };
    const pairs = await this.#tenants.listPairs(member);
    return {
      resources: pairs.map((pair) => ({
        uri: pairResourceUri(pair.pairId, part),
        name: `${pair.pairName ?? pair.pairId} ${part}`,
        mimeType: "application/json",
      })),
    };
  }

  async #read(uri: string): Promise<ReadResourceResult> {
    const { pairId, part } = await this.#authorize(uri);
    const body = await this.#load(pairId, part);
    return {
      contents: [{
        uri,
        mimeType: "application/json",
        text: JSON.stringify(body, null, 2),
      }],
    };
  }

  async #load(pairId: string, part: PairPart): Promise<unknown> {
    if (part === "state") return await this.#tenants.getSharedState(pairId);
    if (part === "members") {
      return { members: await this.#tenants.listMembers(pairId) };
    }
    return { events: await this.#latestEvents(pairId) };
  }

  /** Pages through the audit log and keeps the latest events. */
  async #latestEvents(pairId: string): Promise<EventRecord[]> {
    let latest: EventRecord[] = [];
    let after = 0;
    for (;;) {
      const page = await this.#tenants.listEvents(pairId, {
        after,
        limit: 1000,
      });
      latest = [...latest, ...page].slice(-EVENTS_SHOWN);
      const last = page.at(-1);
      if (last === undefined || page.length < 1000) return latest;
      after = last.id;
    }
  }

  /** Parses a URI and checks that the caller may read that pair. */
  async #authorize(uri: string): Promise<{ pairId: string; part: PairPart }> {
    const parsed = parsePairResourceUri(uri);
    if (parsed === undefined) {
      throw new McpError(
        RESOURCE_NOT_FOUND,
        `Resource ${uri} not found; use tenant-pair://pairs/{pairId}/state, /members or /events`,
      );
    }
    const pairId = parseField(idSchema, parsed.pairId, "pairId");
    await requireReader(this.#tenants, pairId, this.#identity.boundMemberId);
    if (this.#identity.boundMemberId === undefined) {
      await this.#tenants.getPair(pairId);
    }
    return { pairId, part: parsed.part };
  }

  async #subscribe(uri: string): Promise<void> {
    const { pairId, part } = await this.#authorize(uri);
    // Updates go out under the canonical URI, so a subscription under
    // another spelling of it would never match them.
    const canonical = pairResourceUri(pairId, part);
    if (uri !== canonical) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Cannot subscribe to ${uri}: subscribe to ${canonical}, the form updates are sent for`,
      );
    }
    let parts = this.#subscribed.get(pairId);
    if (parts === undefined) {
      parts = new Set();
      this.#subscribed.set(pairId, parts);
    }
    parts.add(part);
    if (!this.#feeds.has(pairId)) {
      const feed = this.#tenants.subscribe(
        pairId,
        (change) => this.#onChange(change),
      );
      this.#feeds.set(pairId, feed);
      try {
        await feed;
      } catch (error) {
        this.#feeds.delete(pairId);
        throw error;
      }
    }
    this.#logger.debug(`Subscribed to ${uri}`);
  }

  async #unsubscribe(uri: string): Promise<void> {
    const parsed = parsePairResourceUri(uri);
    if (parsed === undefined) return;
    const parts = this.#subscribed.get(parsed.pairId);
    parts?.delete(parsed.part);
    if (parts === undefined || parts.size > 0) return;
    this.#subscribed.delete(parsed.pairId);
    const feed = this.#feeds.get(parsed.pairId);
    this.#feeds.delete(parsed.pairId);
    if (feed !== undefined) await (await feed)();
  }

  #onChange(change: StateChange): void {
    // A resolution also adds a `conflict.resolved` event.
    const parts: PairPart[] = change.change === "resolve"
      ? ["state", "events"]
      : ["state"];
    this.touch(change.pairId, parts);
  }

  #notify(uri: string): void {
    this.#server.server.sendResourceUpdated({ uri }).catch((error) => {
      this.#logger.error(`Cannot send an update for ${uri}`, error);
    });
  }
}
