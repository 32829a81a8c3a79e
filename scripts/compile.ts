/**
 * Builds the `tenant-pair` and `tenant-pair-mcp` executables with
 * `deno compile` into `dist/bin/`.
 *
 * `deno compile` joins the program to `denort`, the Deno runtime without its
 * tooling, which it downloads from the Deno release server unless the
 * environment variable `DENORT_BIN` names a local copy. No npm package ships
 * `denort`. Where that server cannot be reached, this script prints a notice,
 * type-checks both entry points with their whole module graph instead, and
 * exits 0, or 1 with `--strict`.
 *
 * ```sh
 * deno task compile              # dist/bin/tenant-pair, dist/bin/tenant-pair-mcp
 * deno task compile --strict     # fail when the binaries cannot be built
 * DENORT_BIN=/path/to/denort deno task compile
 * ```
 *
 * @module
 */

import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

/** One executable and the entry point it runs. */
export interface Executable {
  /** File name under `dist/bin/`. */
  name: string;
  /** Entry module, relative to the repository root. */
  entry: string;
}

/** The executables `deno task compile` builds. */
export const EXECUTABLES: Executable[] = [
  { name: "tenant-pair", entry: "cli.ts" },
  { name: "tenant-pair-mcp", entry: "server.ts" },
];

/** How a compile run ended. */
export type CompileOutcome =
  | { kind: "compiled"; paths: string[] }
  | { kind: "checked"; reason: string };

const ROOT = join(import.meta.dirname!, "..");

async function deno(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  process.stderr.write(stderr);
  return { ok: output.success, stderr };
}

/** Whether `deno compile` failed because it could not fetch `denort`. */
function isRuntimeDownloadFailure(stderr: string): boolean {
  return /denort|Setting up base binary|dl\.deno\.land/i.test(stderr);
}

/**
 * Compiles every executable, or, when the `denort` runtime cannot be
 * downloaded, type-checks the entry points instead.
 *
 * @throws {Error} When an entry point fails to compile or type-check for any
 * other reason.
 */
export async function compileExecutables(): Promise<CompileOutcome> {
  const paths: string[] = [];
  for (const { name, entry } of EXECUTABLES) {
    const output = join("dist", "bin", name);
    const result = await deno(["compile", "-A", "--output", output, entry]);
    if (result.ok) {
      paths.push(output);
      continue;
    }
    if (!isRuntimeDownloadFailure(result.stderr)) {
      throw new Error(`Cannot compile ${entry}: deno compile failed`);
    }
    const reason = "deno compile could not get the denort runtime " +
      "(it downloads it from dl.deno.land unless DENORT_BIN names a local copy)";
    await checkEntries();
    return { kind: "checked", reason };
  }
  return { kind: "compiled", paths };
}

/** Type-checks the entry points, which loads their whole module graph. */
async function checkEntries(): Promise<void> {
  const entries = EXECUTABLES.map((executable) => executable.entry);
  const result = await deno(["check", ...entries]);
  if (!result.ok) {
    throw new Error(`Cannot compile ${entries.join(", ")}: deno check failed`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { strict: { type: "boolean", default: false } },
  });
  const outcome = await compileExecutables();
  if (outcome.kind === "compiled") {
    process.stderr.write(`Built ${outcome.paths.join(" and ")}\n`);
  } else {
    process.stderr.write(
      `\nNOTE: binaries NOT built: ${outcome.reason}.\n` +
        `Checked instead that ${
          EXECUTABLES.map((e) => e.entry).join(" and ")
        } type-check with their whole module graph.\n` +
        "To build the binaries, run this on a machine that reaches " +
        "dl.deno.land, or set DENORT_BIN to the denort binary of this Deno " +
        `release (${Deno.version.deno}).\n`,
    );
    if (values.strict) process.exitCode = 1;
  }
}
