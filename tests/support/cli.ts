/** Runs the real CLI as a subprocess, as a user or a script would. */

/** The CLI entry point in this repository. */
export const CLI_PATH: string = new URL("../../cli.ts", import.meta.url)
  .pathname;

/** The repository root, where `deno.json` maps the imports. */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname;

/** Settings that would steer the CLI away from the test's database. */
const STEERING = [
  "TENANT_PAIR_DB",
  "MCP_TENANT_PAIR_DB",
  "TENANT_PAIR_LOG_LEVEL",
  "TENANT_PAIR_MEMBER_ID",
  "TENANT_PAIR_PG_SCHEMA",
];

/** What one CLI run printed and returned. */
export interface CliResult {
  /** The exit status. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/**
 * Builds the environment for a CLI subprocess: this process's environment without
 * any tenant-pair setting, plus `extra`.
 */
export function cliEnv(extra: Record<string, string> = {}): Record<
  string,
  string
> {
  const env = Deno.env.toObject();
  for (const name of STEERING) delete env[name];
  return { ...env, ...extra };
}

/** Runs `deno run -A cli.ts ...args` and collects its output. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_PATH, ...args],
    cwd: REPO_ROOT,
    env: cliEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const output = await command.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A CLI bound to one database file, with helpers for the common checks. */
export class CliSession {
  /** The database file every run uses. */
  readonly db: string;

  /** Binds runs to the database at `db`. */
  constructor(db: string) {
    this.db = db;
  }

  /** Runs a command against the session's database. */
  run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runCli([...args, "--db", this.db], env);
  }

  /** Runs a command that must succeed and returns its text output. */
  async text(args: string[]): Promise<string> {
    const result = await this.run(args);
    if (result.code !== 0) {
      throw new Error(
        `tenant-pair ${args.join(" ")} exited ${result.code}: ${result.stderr}`,
      );
    }
    return result.stdout;
  }

  /** Runs a command with `--json` that must succeed and parses its output. */
  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    return JSON.parse(await this.text([...args, "--json"])) as T;
  }
}

/**
 * Runs `run` on every item, at most `concurrency` at a time, and returns the
 * results in the items' order. Keeps many short CLI runs quick on a small
 * machine without starting them all at once.
 */
export async function runEach<T, R>(
  items: readonly T[],
  run: (item: T) => Promise<R>,
  concurrency = 4,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  const workers = Math.min(concurrency, items.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
