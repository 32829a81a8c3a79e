/**
 * The tenant-pair MCP server on stdio: every pair, invite, preference,
 * shared-state, conflict and privacy operation as an MCP tool, plus
 * `tenant-pair://pairs/{pairId}/…` resources with subscriptions.
 *
 * Run it from an MCP client's configuration. `TENANT_PAIR_DB` picks the
 * database and `TENANT_PAIR_MEMBER_ID` binds the server to one member; see
 * `--help`.
 *
 * @example Start the server for one member on a file
 * ```sh
 * TENANT_PAIR_DB=./home.db TENANT_PAIR_MEMBER_ID=alex deno run -A server.ts
 * ```
 *
 * @module
 */

import process from "node:process";
import denoConfig from "./deno.json" with { type: "json" };
import { serveStdio } from "./src/mcp/main.ts";

export { serveStdio } from "./src/mcp/main.ts";
export type { ServeStdioOptions } from "./src/mcp/main.ts";
export type { Environment } from "./src/config.ts";

/** The release of this module, from `deno.json`. */
export const VERSION: string = denoConfig.version;

/**
 * Runs the server on this process's stdio.
 *
 * @returns The exit code.
 */
export function main(args: string[]): Promise<number> {
  return serveStdio({ args, version: VERSION });
}

if (import.meta.main) {
  process.exit(await main(process.argv.slice(2)));
}
