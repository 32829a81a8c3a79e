/**
 * A PostgreSQL server for tests.
 *
 * With `TENANT_PAIR_TEST_PG_URL` set, tests use that server. Otherwise, where
 * PostgreSQL's server binaries are installed (under /usr/lib/postgresql, or
 * in the folder `TENANT_PAIR_TEST_PG_BIN` names), the first test that needs
 * one starts a throwaway cluster in a temporary folder. There is one cluster
 * per test process, shared by every test module in it, run as an
 * unprivileged user, and stopped and removed by a watchdog once the test
 * process exits. Without either, the
 * PostgreSQL tests are ignored with a message on stderr; under `CI=true` they
 * run instead and fail, so a missing server cannot pass unnoticed.
 */
import postgres from "postgres";
import { PostgresTenantStore } from "../../mod.ts";

const BIN_DIRS = [15, 16, 17, 14, 13].map((v) =>
  `/usr/lib/postgresql/${v}/bin`
);
const READY_TIMEOUT_MS = 120_000;

function env(name: string): string | undefined {
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}

function findBinDir(): string | undefined {
  const fromEnv = env("TENANT_PAIR_TEST_PG_BIN");
  const candidates = fromEnv === undefined ? BIN_DIRS : [fromEnv];
  return candidates.find((dir) => {
    try {
      return Deno.statSync(`${dir}/initdb`).isFile;
    } catch {
      return false;
    }
  });
}

const GIVEN_URL = env("TENANT_PAIR_TEST_PG_URL");
const BIN_DIR = GIVEN_URL === undefined ? findBinDir() : undefined;
const IN_CI = env("CI") === "true";

/** Whether a PostgreSQL server is given or can be started here. */
export const POSTGRES_AVAILABLE: boolean = GIVEN_URL !== undefined ||
  BIN_DIR !== undefined;

/**
 * Whether PostgreSQL tests are ignored: no server here and not in CI.
 * Pass it as the `ignore` option of `Deno.test`.
 */
export const POSTGRES_IGNORE: boolean = !POSTGRES_AVAILABLE && !IN_CI;

if (POSTGRES_IGNORE) {
  // deno-lint-ignore no-console
  console.warn(
    "PostgreSQL tests ignored: set TENANT_PAIR_TEST_PG_URL, or install the PostgreSQL server binaries (Debian: postgresql-15)",
  );
}

let urlPromise: Promise<string> | undefined;

/**
 * Returns the URL of the test server, starting the throwaway cluster on
 * first use.
 *
 * @throws {Error} When no server is given and none can be started.
 */
export function postgresTestUrl(): Promise<string> {
  urlPromise ??= findOrStartServer();
  return urlPromise;
}

async function findOrStartServer(): Promise<string> {
  if (GIVEN_URL !== undefined) return GIVEN_URL;
  if (BIN_DIR === undefined) {
    throw new Error(
      "Cannot run PostgreSQL tests: TENANT_PAIR_TEST_PG_URL is unset and no PostgreSQL server binaries were found under /usr/lib/postgresql or TENANT_PAIR_TEST_PG_BIN; set the URL or install postgresql-15",
    );
  }
  const dir = `${tmpRoot()}/tenant-pair-pg-${processTag()}`;
  try {
    Deno.mkdirSync(dir);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      return await waitForUrl(dir);
    }
    throw error;
  }
  try {
    const url = await startCluster(BIN_DIR, dir);
    await Deno.writeTextFile(`${dir}/url.tmp`, url);
    await Deno.rename(`${dir}/url.tmp`, `${dir}/url`);
    return url;
  } catch (error) {
    await Deno.writeTextFile(`${dir}/failed`, String(error));
    throw error;
  }
}

function tmpRoot(): string {
  return env("TMPDIR") ?? "/tmp";
}

/** Returns the pid plus the process start time, so a reused pid gets its own folder. */
function processTag(): string {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return `${Deno.pid}-${fields[19]}`;
  } catch {
    return String(Deno.pid);
  }
}

/** Waits for another test module of this process to finish starting the cluster. */
async function waitForUrl(dir: string): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      return await Deno.readTextFile(`${dir}/url`);
    } catch {
      // Not ready yet.
    }
    try {
      const failure = await Deno.readTextFile(`${dir}/failed`);
      throw new Error(
        `The test PostgreSQL cluster failed to start: ${failure}`,
      );
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `Timed out after ${READY_TIMEOUT_MS} ms waiting for the test PostgreSQL cluster in ${dir}`,
  );
}

/** Runs a command, as `nobody` when this process is root, and returns stdout. */
async function run(args: string[], action: string): Promise<string> {
  const asRoot = Deno.uid() === 0;
  const argv = asRoot ? ["runuser", "-u", "nobody", "--", ...args] : args;
  const output = await new Deno.Command(argv[0] as string, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `Cannot ${action}: ${argv.join(" ")} exited with ${output.code}: ${
        decoder.decode(output.stderr).trim()
      }`,
    );
  }
  return decoder.decode(output.stdout);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function startCluster(bin: string, dir: string): Promise<string> {
  // PostgreSQL refuses to run as root, so the folder goes to `nobody`.
  if (Deno.uid() === 0) await Deno.chown(dir, 65534, 65534);
  await startWatchdog(bin, dir);
  await run(
    [
      `${bin}/initdb`,
      "--pgdata",
      `${dir}/data`,
      "--username",
      "postgres",
      "--auth",
      "trust",
      "--encoding",
      "UTF8",
      "--locale",
      "C",
      "--no-sync",
    ],
    "create the test PostgreSQL cluster",
  );
  let lastError: unknown;
  // A port found free can be taken before the server binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = freePort();
    const settings = [
      "-c listen_addresses=127.0.0.1",
      `-c port=${port}`,
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=300",
    ].join(" ");
    try {
      await run(
        [
          `${bin}/pg_ctl`,
          "--pgdata",
          `${dir}/data`,
          "--log",
          `${dir}/server.log`,
          "--options",
          settings,
          "--wait",
          "start",
        ],
        "start the test PostgreSQL cluster",
      );
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Starts a detached shell that waits for this process to exit, then stops
 * the cluster and deletes its folder, so neither outlives the tests even
 * when they are interrupted.
 */
async function startWatchdog(bin: string, dir: string): Promise<void> {
  const asUser = Deno.uid() === 0 ? "runuser -u nobody -- " : "";
  const script = [
    'trap "" INT HUP TERM',
    `while kill -0 ${Deno.pid} 2>/dev/null; do sleep 1; done`,
    `${asUser}${bin}/pg_ctl --pgdata "${dir}/data" --mode immediate stop`,
    `rm -rf "${dir}"`,
  ].join("\n");
  const output = await new Deno.Command("sh", {
    args: ["-c", `(${script}) </dev/null >/dev/null 2>&1 &`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (!output.success) {
    throw new Error("Cannot start the test PostgreSQL cluster's watchdog");
  }
}

/** A schema of its own for one test, on the test server. */
export interface TestSchema {
  /** The server's URL. */
  url: string;
  /** A fresh schema name, not yet created. */
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** Picks a fresh schema name; the store creates it on open. */
export async function createTestSchema(): Promise<TestSchema> {
  const url = await postgresTestUrl();
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const schema = `tp_test_${suffix}`;
  return {
    url,
    schema,
    drop: async () => {
      await withAdmin(
        url,
        (sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      );
    },
  };
}

/** Runs `fn` on a short-lived connection to the test server. */
export async function withAdmin<T>(
  url: string,
  fn: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Creates a store on a fresh schema, closed and dropped by `cleanup`. */
export async function createTestStore(): Promise<{
  url: string;
  schema: string;
  store: PostgresTenantStore;
  cleanup(): Promise<void>;
}> {
  const { url, schema, drop } = await createTestSchema();
  const store = new PostgresTenantStore({ url }, { schema });
  return {
    url,
    schema,
    store,
    cleanup: async () => {
      await store.close();
      await drop();
    },
  };
}
