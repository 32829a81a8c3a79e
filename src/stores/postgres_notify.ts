import { createHash } from "node:crypto";
import type postgres from "postgres";
import type { ChangeKind, StateChange } from "../types.ts";
import { ChangeHub } from "./change_hub.ts";

/**
 * How long a write waits for its own notifications to come back before it
 * resolves anyway. They normally arrive within a round trip. The limit only
 * matters when the listening connection dropped and the notice is lost.
 */
const ECHO_TIMEOUT_MS = 10_000;

const KINDS: ReadonlySet<string> = new Set<ChangeKind>([
  "set",
  "delete",
  "conflict",
  "resolve",
]);

/**
 * Returns the NOTIFY channel of a pair in a schema. Channel names are
 * identifiers of at most 63 bytes while pair ids reach 64 characters, so the
 * name is a prefix plus 160 bits of a SHA-256 digest. The payload carries the
 * pair id, which the listener checks.
 */
export function channelName(schema: string, pairId: string): string {
  const digest = createHash("sha256").update(`${schema}\n${pairId}`).digest(
    "hex",
  );
  return `tenant_pair_${digest.slice(0, 40)}`;
}

/** A change as sent in a NOTIFY payload, tagged with who sent it. */
interface Payload extends StateChange {
  /** The sending store object's random id. */
  origin: string;
  /** A number unique within the sending store object. */
  seq: number;
}

function parsePayload(text: string, pairId: string): Payload | undefined {
  let value: Partial<Payload>;
  try {
    value = JSON.parse(text) as Partial<Payload>;
  } catch {
    return undefined;
  }
  const valid = value !== null && typeof value === "object" &&
    value.pairId === pairId && typeof value.namespace === "string" &&
    typeof value.key === "string" && typeof value.version === "number" &&
    typeof value.change === "string" && KINDS.has(value.change) &&
    typeof value.origin === "string" && typeof value.seq === "number";
  return valid ? value as Payload : undefined;
}

interface Channel {
  listening: Promise<postgres.ListenMeta>;
  /** Set once LISTEN is active. */
  active: boolean;
  subscribers: number;
}

/** A notification this store sends and may wait to hear back. */
export interface PendingEcho {
  /** A number unique within this store object. */
  seq: number;
  /** The NOTIFY channel. */
  channel: string;
  /** The JSON payload. */
  payload: string;
  /** Resolves once the notification came back, or at the timeout. */
  received: Promise<void>;
}

/**
 * Keeps one LISTEN per pair channel on the store's connection and fans
 * notifications out to the pair's subscribers, so each subscriber hears
 * each committed change once, whichever process made it.
 *
 * The store's own writes reach its subscribers through the same path: a
 * write waits until its notifications come back, so its subscribers have
 * received it when the write resolves, as with the SQLite store.
 */
export class ChangeListener {
  #sql: postgres.Sql;
  #schema: string;
  #hub = new ChangeHub();
  #channels = new Map<string, Channel>();
  #origin = crypto.randomUUID();
  #seq = 0;
  #echoes = new Map<number, { channel: string; resolve: () => void }>();

  constructor(sql: postgres.Sql, schema: string) {
    this.#sql = sql;
    this.#schema = schema;
  }

  /** Adds a listener and resolves once LISTEN is active on the pair's channel. */
  async add(
    pairId: string,
    listener: (change: StateChange) => void,
  ): Promise<() => Promise<void>> {
    const name = channelName(this.#schema, pairId);
    let channel = this.#channels.get(name);
    if (channel === undefined) {
      const created: Channel = {
        listening: this.#sql.listen(
          name,
          (text) => this.#receive(pairId, text),
        ),
        active: false,
        subscribers: 0,
      };
      this.#channels.set(name, created);
      channel = created;
    }
    channel.subscribers++;
    const remove = this.#hub.add(pairId, listener);
    const current = channel;
    try {
      await current.listening;
      current.active = true;
    } catch (error) {
      await remove();
      await this.#release(name, current);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      await remove();
      await this.#release(name, current);
    };
  }

  async #release(name: string, channel: Channel): Promise<void> {
    channel.subscribers--;
    if (channel.subscribers > 0 || this.#channels.get(name) !== channel) return;
    this.#channels.delete(name);
    for (const [seq, echo] of this.#echoes) {
      if (echo.channel === name) {
        this.#echoes.delete(seq);
        echo.resolve();
      }
    }
    try {
      await (await channel.listening).unlisten();
    } catch {
      // LISTEN never became active, or the connection is gone. Either way
      // nothing listens any more.
    }
  }

  /** Stops every LISTEN of this store. */
  async close(): Promise<void> {
    const channels = [...this.#channels.entries()];
    for (const [name, channel] of channels) {
      channel.subscribers = 1;
      await this.#release(name, channel);
    }
  }

  #receive(pairId: string, text: string): void {
    const payload = parsePayload(text, pairId);
    if (payload === undefined) return;
    const { origin, seq, ...change } = payload;
    this.#hub.emit({
      pairId: change.pairId,
      namespace: change.namespace,
      key: change.key,
      version: change.version,
      change: change.change,
    });
    if (origin !== this.#origin) return;
    const echo = this.#echoes.get(seq);
    if (echo === undefined) return;
    this.#echoes.delete(seq);
    echo.resolve();
  }

  /**
   * Encodes a change for NOTIFY. When this store listens on the pair, the
   * result also contains a promise that resolves once the notification is
   * received. Call {@linkcode ChangeListener.forget} if the transaction fails.
   */
  prepare(change: StateChange): PendingEcho {
    const channel = channelName(this.#schema, change.pairId);
    const seq = ++this.#seq;
    const payload = JSON.stringify({
      pairId: change.pairId,
      namespace: change.namespace,
      key: change.key,
      version: change.version,
      change: change.change,
      origin: this.#origin,
      seq,
    });
    let received = Promise.resolve();
    if (this.#channels.get(channel)?.active === true) {
      received = new Promise<void>((resolve) => {
        this.#echoes.set(seq, { channel, resolve });
      });
    }
    return { channel, payload, received, seq };
  }

  /** Drops the wait for notifications of a transaction that did not commit. */
  forget(echoes: readonly PendingEcho[]): void {
    for (const echo of echoes) this.#echoes.delete(echo.seq);
  }

  /** Waits until the committed notifications came back, at most ECHO_TIMEOUT_MS. */
  async awaitEchoes(echoes: readonly PendingEcho[]): Promise<void> {
    if (echoes.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ECHO_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(echoes.map((e) => e.received)), timeout]);
    } finally {
      clearTimeout(timer);
      for (const echo of echoes) this.#echoes.delete(echo.seq);
    }
  }
}
