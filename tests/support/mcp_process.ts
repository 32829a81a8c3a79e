// @ts-types="@modelcontextprotocol/sdk/client"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types";

/** The repository root, where `server.ts` lives. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/** The server entry point the tests spawn. */
export const SERVER: string = `${ROOT}server.ts`;

/**
 * A client transport over a real `deno run server.ts` subprocess that keeps
 * every raw stdout line, so tests can check that stdout carries nothing but
 * JSON-RPC.
 */
export class ProcessTransport implements Transport {
  /** Every line the server wrote to stdout, in order. */
  readonly stdoutLines: string[] = [];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stderr = "";
  #reading: Promise<void> | undefined;
  #stderrReading: Promise<void>;
  #encoder = new TextEncoder();
  #stdinClosed = false;
  #stderrDone = false;
  #stderrWaiters: (() => void)[] = [];

  constructor(env: Record<string, string>, args: string[] = []) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", SERVER, ...args],
      cwd: ROOT,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#stderrReading = this.#collectStderr();
  }

  /** Everything the server wrote to stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Waits until stderr matches `pattern`, because the pipe is read
   * concurrently with stdout. Rejects when the process ends without a match.
   */
  async waitForStderr(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.#stderr)) {
      if (this.#stderrDone) {
        throw new Error(`stderr never matched ${pattern}:\n${this.#stderr}`);
      }
      await new Promise<void>((resolve) => this.#stderrWaiters.push(resolve));
    }
    return this.#stderr;
  }

  start(): Promise<void> {
    this.#reading = this.#readStdout();
    return Promise.resolve();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.sendRaw(`${JSON.stringify(message)}\n`);
  }

  /** Writes raw text to the server's stdin. */
  async sendRaw(text: string): Promise<void> {
    await this.#stdin.write(this.#encoder.encode(text));
  }

  /** Ends stdin and waits for the process to exit. */
  async close(): Promise<void> {
    await this.finish();
  }

  /**
   * Ends stdin (unless `signal` is given, which is sent instead) and waits
   * for the exit.
   */
  async finish(signal?: Deno.Signal): Promise<Deno.CommandStatus> {
    if (signal !== undefined) this.#child.kill(signal);
    else await this.#closeStdin();
    const status = await this.#child.status;
    await this.#closeStdin();
    await this.#reading;
    await this.#stderrReading;
    this.onclose?.();
    return status;
  }

  async #closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    try {
      await this.#stdin.close();
    } catch {
      // The process already exited and closed its end.
    }
  }

  async #readStdout(): Promise<void> {
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        this.#deliver(line);
        newline = buffer.indexOf("\n");
      }
    }
    if (buffer !== "") this.#deliver(buffer);
  }

  #deliver(line: string): void {
    this.stdoutLines.push(line);
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(line);
    } catch (error) {
      this.onerror?.(error as Error);
      return;
    }
    this.onmessage?.(message);
  }

  async #collectStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stderr) {
      this.#stderr += decoder.decode(chunk, { stream: true });
      this.#wakeStderrWaiters();
    }
    this.#stderrDone = true;
    this.#wakeStderrWaiters();
  }

  #wakeStderrWaiters(): void {
    const waiters = this.#stderrWaiters;
    this.#stderrWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** A spawned server with a connected SDK client. */
export interface RunningServer {
  client: Client;
  transport: ProcessTransport;
  /** Ends stdin, waits for the exit and returns its status. */
  stop(): Promise<Deno.CommandStatus>;
}

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** The database; default `:memory:`. */
  db?: string;
  /** Binds the server to this member. */
  memberId?: string;
  /** Further environment variables. */
  env?: Record<string, string>;
  /** Command-line arguments. */
  args?: string[];
}

/** Spawns `server.ts` and connects an SDK client to it over stdio. */
export async function startServer(
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const env: Record<string, string> = {
    TENANT_PAIR_DB: options.db ?? ":memory:",
    TENANT_PAIR_MEMBER_ID: options.memberId ?? "",
    ...options.env,
  };
  const transport = new ProcessTransport(env, options.args);
  const client = new Client({ name: "tenant-pair-tests", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    transport,
    stop: () => transport.finish(),
  };
}
