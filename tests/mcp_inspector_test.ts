import assert from "node:assert/strict";
import { ROOT } from "./support/mcp_process.ts";

/** The official MCP Inspector, run in CLI mode through npx. */
const INSPECTOR = "@modelcontextprotocol/inspector@2.12.0";

function hasNpx(): boolean {
  try {
    new Deno.Command("npx", { args: ["--version"], stdout: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

async function inspect(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("npx", {
    args: [
      "-y",
      INSPECTOR,
      "--cli",
      "-e",
      "TENANT_PAIR_DB=:memory:",
      "-e",
      "TENANT_PAIR_MEMBER_ID=alex",
      ...args,
      "--",
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      `${ROOT}server.ts`,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const ignore = !hasNpx();
if (ignore) {
  // deno-lint-ignore no-console
  console.warn("Skipping the MCP Inspector tests: npx is not on PATH");
}

Deno.test({
  name: "MCP Inspector CLI lists the tools",
  ignore,
  async fn() {
    const result = await inspect(["--method", "tools/list"]);
    assert.equal(result.code, 0, result.stderr);
    const { tools } = JSON.parse(result.stdout);
    const names = tools.map((tool: { name: string }) => tool.name);
    assert.equal(names.length, 24);
    assert.ok(names.includes("create_pair"));
    assert.ok(names.includes("get_shared_state"));
    assert.match(result.stderr, /0 errors/);
  },
});

Deno.test({
  name: "MCP Inspector CLI calls a tool",
  ignore,
  async fn() {
    const result = await inspect([
      "--method",
      "tools/call",
      "--tool-name",
      "create_pair",
      "--tool-arg",
      "pairName=Home",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout);
    assert.notEqual(output.isError, true, result.stdout);
    assert.match(output.structuredContent.pairId, /^[A-Za-z0-9]/);
    assert.match(output.structuredContent.shortCode, /^\w{4}-\w{4}$/);
  },
});
