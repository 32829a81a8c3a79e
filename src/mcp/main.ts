import process from "node:process";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  describeTarget,
  type Environment,
  openStore,
  resolveDatabase,
} from "../config.ts";
import { TenantPairError } from "../errors.ts";
import { ID_PATTERN } from "../schemas.ts";
import type { TenantStore } from "../stores/store.ts";
import { TenantPair } from "../tenant_pair.ts";
import { createLogger, isLogLevel, type Logger } from "./logger.ts";
import { createTenantPairServer } from "./server.ts";

/** Options for {@linkcode serveStdio}. */
export interface ServeStdioOptions {
  /** Command-line arguments after the program name. */
  args: string[];
  /** The release reported by `--version` and `initialize`. */
  version: string;
  /**
   * Environment variables.
   * @default {process.env}
   */
  env?: Environment;
  /**
   * The stream protocol messages arrive on.
   * @default {process.stdin}
   */
  stdin?: Readable;
  /**
   * The stream protocol messages go to; nothing else is written there.
   * @default {process.stdout}
   */
  stdout?: Writable;
  /**
   * The stream for logs, help and usage errors.
   * @default {process.stderr}
   */
  stderr?: Writable;
}

const USAGE = `tenant-pair MCP server: multi-user tenancy over stdio.

Usage: tenant-pair-mcp [--member-id ID] [--db PATH|URL] [--log-level LEVEL]

Options:
  --member-id ID     Bind the server to this member: it acts only as them.
                     Default: TENANT_PAIR_MEMBER_ID; unset trusts member ids
                     in the arguments.
  --db PATH|URL      SQLite file, ":memory:" or a postgres:// URL. Default:
                     TENANT_PAIR_DB, then MCP_TENANT_PAIR_DB, then
                     $XDG_DATA_HOME/tenant-pair/tenant-pair.db.
  --log-level LEVEL  debug, info, warn or error, written to stderr.
                     Default: TENANT_PAIR_LOG_LEVEL, then info.
  -h, --help         Print this help.
  -V, --version      Print the version.

Stdout carries only MCP messages. The server stops when stdin ends or on
SIGINT or SIGTERM, and closes the database first.
`;

interface Settings {
  memberId: string | undefined;
  db: string | undefined;
  logLevel: string;
  help: boolean;
  version: boolean;
}

function parseSettings(args: string[], env: Environment): Settings {
  const { values } = parseArgs({
    args,
    options: {
      "member-id": { type: "string" },
      db: { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "V" },
    },
    strict: true,
    allowPositionals: false,
  });
  const fromEnv = env.TENANT_PAIR_MEMBER_ID;
  return {
    memberId: values["member-id"] ??
      (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv),
    db: values.db,
    logLevel: values["log-level"] ?? env.TENANT_PAIR_LOG_LEVEL ?? "info",
    help: values.help === true,
    version: values.version === true,
  };
}

function checkSettings(settings: Settings): string | undefined {
  if (!isLogLevel(settings.logLevel)) {
    return `Invalid log level ${
      JSON.stringify(settings.logLevel)
    }: use debug, info, warn or error`;
  }
  const member = settings.memberId;
  if (
    member !== undefined && (member.length > 64 || !ID_PATTERN.test(member))
  ) {
    return `Invalid member id ${
      JSON.stringify(member.slice(0, 100))
    }: use 1-64 characters from A-Z, a-z, 0-9 and . _ : @ + -, starting with a letter or digit`;
  }
  return undefined;
}

/**
 * Runs the MCP server on stdio until stdin ends or SIGINT or SIGTERM
 * arrives, then closes the database.
 *
 * @returns The exit code: 0 after a clean stop, 1 when the database cannot
 * be opened, 2 for invalid flags.
 */
export async function serveStdio(options: ServeStdioOptions): Promise<number> {
  const env = options.env ?? process.env;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;

  let settings: Settings;
  try {
    settings = parseSettings(options.args, env);
  } catch (error) {
    stderr.write(`${(error as Error).message}\nTry --help.\n`);
    return 2;
  }
  if (settings.help) {
    stderr.write(USAGE);
    return 0;
  }
  if (settings.version) {
    stderr.write(`tenant-pair-mcp ${options.version}\n`);
    return 0;
  }
  const problem = checkSettings(settings);
  if (problem !== undefined) {
    stderr.write(`${problem}\nTry --help.\n`);
    return 2;
  }

  const logger = createLogger(
    settings.logLevel as Parameters<typeof createLogger>[0],
    (line) => stderr.write(line),
  );
  return await run(settings, { ...options, env, stdin, stdout }, logger);
}

async function run(
  settings: Settings,
  io: { version: string; env: Environment; stdin: Readable; stdout: Writable },
  logger: Logger,
): Promise<number> {
  const target = resolveDatabase(io.env, settings.db);
  let store: TenantStore;
  try {
    store = await openStore(target);
  } catch (error) {
    const detail = error instanceof TenantPairError
      ? `${error.code}: ${error.message}`
      : String(error);
    logger.error(`Cannot start: ${detail}`);
    return 1;
  }

  const tenants = new TenantPair({ store });
  const app = createTenantPairServer({
    tenants,
    version: io.version,
    logger,
    ...(settings.memberId === undefined ? {} : { memberId: settings.memberId }),
  });
  logger.info(
    `tenant-pair MCP server ${io.version} starting on stdio; database ${
      describeTarget(target)
    }`,
  );
  if (settings.memberId === undefined) {
    logger.warn(
      "Identity is not verified: no member is bound (TENANT_PAIR_MEMBER_ID or --member-id), so tools trust the member ids in their arguments",
    );
  } else {
    logger.info(`Identity bound to member "${settings.memberId}"`);
  }

  const stopped = waitForStop(io.stdin, io.stdout, app.server.server);
  const transport = new StdioServerTransport(io.stdin, io.stdout);
  // A message past the SDK's read buffer limit breaks the stream itself.
  // The server cannot resync on the next line, so it stops with status 1.
  let broken = false;
  transport.onerror = (error) => {
    logger.error("Transport error", error);
    if (/exceeded maximum size/.test(String(error?.message))) broken = true;
  };
  await app.server.connect(transport);
  logger.info("Ready");

  const reason = await stopped.reason;
  stopped.dispose();
  logger.info(`Stopping: ${reason}`);
  let code = broken ? 1 : 0;
  try {
    await app.close();
  } catch (error) {
    logger.error("Cannot close the MCP connection cleanly", error);
    code = 1;
  }
  try {
    await store.close();
  } catch (error) {
    logger.error("Cannot close the database cleanly", error);
    code = 1;
  }
  logger.info("Stopped");
  return code;
}

/** Resolves with why the server should stop: stdin ended, a signal, or the transport closed. */
function waitForStop(
  stdin: Readable,
  stdout: Writable,
  server: { onclose?: (() => void) | undefined },
): { reason: Promise<string>; dispose(): void } {
  let finish: (reason: string) => void = () => {};
  const reason = new Promise<string>((resolve) => {
    finish = resolve;
  });
  const onEnd = () => finish("stdin ended");
  const onInt = () => finish("SIGINT");
  const onTerm = () => finish("SIGTERM");
  // A client that goes away while responses are being written makes stdout
  // fail with EPIPE; without a listener that error would end the process
  // before the database is closed.
  const onWriteError = () => finish("stdout closed");
  stdout.on("error", onWriteError);
  stdin.once("end", onEnd);
  stdin.once("close", onEnd);
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  server.onclose = () => finish("connection closed");
  return {
    reason,
    dispose() {
      stdin.off("end", onEnd);
      stdin.off("close", onEnd);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
