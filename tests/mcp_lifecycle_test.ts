import assert from "node:assert/strict";
import { call } from "./support/mcp_calls.ts";
import { ROOT, SERVER, startServer } from "./support/mcp_process.ts";

async function runServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", SERVER, ...args],
    cwd: ROOT,
    env: { TENANT_PAIR_DB: ":memory:", ...env },
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

Deno.test("MCP server keeps data in a file across restarts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-restart-" });
  try {
    const db = `${dir}/home.db`;
    const first = await startServer({ db, memberId: "alex" });
    const pair = await call(first.client, "create_pair", { pairName: "Home" });
    await call(first.client, "set_shared_state", {
      pairId: pair.pairId,
      key: "dinner",
      value: "soup",
    });
    const firstStatus = await first.stop();
    assert.equal(firstStatus.code, 0);
    assert.match(first.transport.stderr, /Stopping: stdin ended/);
    assert.match(first.transport.stderr, /Stopped/);

    const second = await startServer({ db, memberId: "alex" });
    const state = await call(second.client, "get_shared_state", {
      pairId: pair.pairId,
    });
    assert.deepEqual(state.state, { dinner: "soup" });
    assert.equal((await second.stop()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCP server defaults to a file in the data folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-xdg-" });
  try {
    const server = await startServer({
      env: { TENANT_PAIR_DB: "", XDG_DATA_HOME: dir },
      memberId: "alex",
    });
    await call(server.client, "create_pair", {});
    const log = await server.transport.waitForStderr(/Ready/);
    assert.equal((await server.stop()).code, 0);
    const expected = `${dir}/tenant-pair/tenant-pair.db`;
    assert.ok(log.includes(`sqlite:${expected}`), log);
    const info = await Deno.stat(expected);
    assert.ok(info.isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCP server reads the older database variable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-old-var-" });
  try {
    const db = `${dir}/old.db`;
    const server = await startServer({
      env: { TENANT_PAIR_DB: "", MCP_TENANT_PAIR_DB: db },
    });
    const log = await server.transport.waitForStderr(/Ready/);
    assert.equal((await server.stop()).code, 0);
    assert.ok(log.includes(`sqlite:${db}`), log);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`MCP server closes the database on ${signal}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "tenant-pair-signal-" });
    try {
      const db = `${dir}/home.db`;
      const server = await startServer({ db, memberId: "alex" });
      await call(server.client, "create_pair", {});
      const status = await server.transport.finish(signal);
      assert.equal(status.code, 0, server.transport.stderr);
      assert.match(server.transport.stderr, new RegExp(`Stopping: ${signal}`));
      assert.match(server.transport.stderr, /Stopped/);
      // A clean close checkpoints the WAL into the file and removes it.
      await assert.rejects(Deno.stat(`${db}-wal`), Deno.errors.NotFound);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("MCP server log level hides lower levels", async () => {
  const server = await startServer({
    env: { TENANT_PAIR_LOG_LEVEL: "warn" },
  });
  await call(server.client, "whoami");
  assert.equal((await server.stop()).code, 0);
  const log = server.transport.stderr;
  assert.match(log, / warn: Identity is not verified/);
  assert.doesNotMatch(log, / info: /);
});

Deno.test("MCP server flags: help, version and usage errors", async () => {
  const help = await runServer(["--help"]);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, "");
  assert.match(help.stderr, /--member-id ID/);

  const version = await runServer(["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, "");
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(version.stderr.trim(), `tenant-pair-mcp ${config.version}`);

  const unknown = await runServer(["--bogus"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /bogus/);
  assert.equal(unknown.stdout, "");

  const badLevel = await runServer([], { TENANT_PAIR_LOG_LEVEL: "loud" });
  assert.equal(badLevel.code, 2);
  assert.match(badLevel.stderr, /Invalid log level "loud"/);

  const badMember = await runServer(["--member-id", "bad id"]);
  assert.equal(badMember.code, 2);
  assert.match(badMember.stderr, /Invalid member id "bad id"/);

  const badDb = await runServer([], { TENANT_PAIR_DB: "/proc/no/such/x.db" });
  assert.equal(badDb.code, 1);
  assert.match(badDb.stderr, /Cannot start: STORE_UNAVAILABLE/);
  assert.equal(badDb.stdout, "");
});

Deno.test("MCP server answers every request before stdin ends", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-drain-" });
  try {
    const lines: Record<string, unknown>[] = [
      {
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "pipe", version: "1.0.0" },
        },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
    ];
    for (let id = 1; id <= 200; id++) {
      lines.push({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: {
          name: "create_pair",
          arguments: { creatorMemberId: `member-${id}` },
        },
      });
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", SERVER],
      cwd: ROOT,
      env: { TENANT_PAIR_DB: `${dir}/drain.db`, TENANT_PAIR_MEMBER_ID: "" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Every request is written at once and stdin closed right after.
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode(
        lines.map((line) => JSON.stringify(line)).join("\n") + "\n",
      ),
    );
    await writer.close();
    const output = await child.output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const responses = new TextDecoder().decode(output.stdout).trim().split("\n")
      .map((line) => JSON.parse(line));
    const ids = responses.map((response) => response.id).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: 201 }, (_, id) => id));
    for (const response of responses.slice(1)) {
      assert.notEqual(response.result?.isError, true, JSON.stringify(response));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
