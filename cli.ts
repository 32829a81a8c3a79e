#!/usr/bin/env -S deno run -A
/**
 * The `tenant-pair` command line: every library operation from the shell,
 * over the same database the MCP server uses.
 *
 * ```sh
 * deno run -A cli.ts pair create --member-id alice --pair-name Home
 * deno run -A cli.ts state get --pair-id pair-… --json
 * ```
 *
 * Run `deno run -A cli.ts --help` for every command and flag.
 *
 * @module
 */
import process from "node:process";
import config from "./deno.json" with { type: "json" };
import { main } from "./src/cli/main.ts";

// NOTE: Node 22 leaves import.meta.main undefined, so an npm bin entry for
// Node must import main() and call it itself.
if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), {
    version: config.version,
  });
}
