import assert from "node:assert/strict";
// The SDK's wildcard export maps `.js` paths to no types; name them here.
// @ts-types="@modelcontextprotocol/sdk/client"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CLI_PATH, cliEnv, CliSession, REPO_ROOT } from "./support/cli.ts";
import { tempDir } from "./support/stores.ts";

Deno.test("cli serve answers an MCP client on the CLI's database", async () => {
  const dir = await tempDir();
  try {
    const cli = new CliSession(`${dir.path}/served.db`);
    const { pairId } = await cli.json<{ pairId: string }>([
      "pair",
      "create",
      "--member-id",
      "alice",
      "--pair-name",
      "Home",
    ]);

    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: ["run", "-A", CLI_PATH, "serve", "--db", cli.db],
      cwd: REPO_ROOT,
      env: cliEnv({ TENANT_PAIR_MEMBER_ID: "alice" }),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk) => stderr += String(chunk));
    const client = new Client({ name: "cli-serve-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      assert.equal(client.getServerVersion()?.name, "tenant-pair");

      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      assert.ok(names.includes("set_shared_state"), names.join(", "));

      const whoami = await client.callTool({ name: "whoami", arguments: {} });
      assert.equal(whoami.isError, undefined);
      assert.match(JSON.stringify(whoami.structuredContent), /"alice"/);

      const written = await client.callTool({
        name: "set_shared_state",
        arguments: { pairId, key: "dinner", value: "risotto" },
      });
      assert.notEqual(written.isError, true, JSON.stringify(written.content));
    } finally {
      await client.close();
    }

    // What the server wrote, the CLI reads from the same file.
    const snapshot = await cli.json<{ state: Record<string, unknown> }>([
      "state",
      "get",
      "--pair-id",
      pairId,
    ]);
    assert.deepEqual(snapshot.state, { dinner: "risotto" });
    assert.match(stderr, /Identity bound to member "alice"/);
    assert.match(stderr, /database sqlite:.*served\.db/);
  } finally {
    await dir.remove();
  }
});

Deno.test("cli serve --help shows the server's flags", async () => {
  const cli = new CliSession(":memory:");
  const help = await cli.text(["serve", "--help"]);

  assert.match(help, /^Usage: tenant-pair serve \[flags\]/);
  assert.match(help, /--member-id ID/);
  assert.match(help, /--log-level LEVEL/);
});
