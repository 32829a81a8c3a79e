import type { Command } from "./command.ts";

/** `serve`: runs the MCP server over stdio. */
export const SERVE_COMMAND: Command = {
  words: ["serve"],
  summary: "Run the MCP server over stdio, as server.ts does",
  flags: {},
  run() {
    throw new Error("serve is not wired yet");
  },
};
