import { serveStdio } from "../mcp/main.ts";
import type { Command } from "./command.ts";

/**
 * `serve`: runs the MCP server on stdio with the flags and environment of
 * `server.ts`, which reads the arguments itself.
 */
export const SERVE_COMMAND: Command = {
  words: ["serve"],
  summary: "Run the MCP server on stdio, as server.ts does",
  details: [
    "Takes the flags and environment of server.ts: TENANT_PAIR_DB, TENANT_PAIR_MEMBER_ID and TENANT_PAIR_LOG_LEVEL. Stdout carries only MCP messages and logs go to stderr. The server stops when stdin ends or on SIGINT or SIGTERM, and closes the database first.",
  ],
  passThrough: true,
  flags: {
    "member-id": {
      type: "string",
      placeholder: "ID",
      description:
        "bind the server to this member, who is then the actor of every call; default $TENANT_PAIR_MEMBER_ID, unset trusts the member ids in tool arguments",
    },
    db: {
      type: "string",
      placeholder: "PATH|URL",
      description:
        "the SQLite file, :memory:, or a postgres:// URL; default $TENANT_PAIR_DB, else $XDG_DATA_HOME/tenant-pair/tenant-pair.db",
    },
    "log-level": {
      type: "string",
      placeholder: "LEVEL",
      description:
        "debug, info, warn or error, written to stderr; default $TENANT_PAIR_LOG_LEVEL, else info",
    },
    help: { type: "boolean", description: "show this help" },
  },
  examples: ["serve --db ./home.db --member-id alice"],
  async run(_flags, context) {
    const status = await serveStdio({
      args: context.args,
      version: context.version,
      env: context.env,
    });
    return { json: null, text: "", status };
  },
};
