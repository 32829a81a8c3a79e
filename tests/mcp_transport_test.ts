import assert from "node:assert/strict";
import { tempDir } from "./support/stores.ts";

const SERVER = new URL("../server.ts", import.meta.url).pathname;
const encoder = new TextEncoder();

function line(message: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(message)}\n`);
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "transport-test", version: "1" },
  },
};

/** Spawns the server and collects its stderr, returning both. */
function spawnServer(db: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER],
    env: { TENANT_PAIR_DB: db },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = (async () => {
    let text = "";
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk;
    }
    return text;
  })();
  return { child, stderr };
}

Deno.test("server closes cleanly when the client stops reading", async () => {
  const dir = await tempDir();
  try {
    const { child, stderr } = spawnServer(`${dir.path}/gone.db`);
    const reader = child.stdout.getReader();
    const drained = (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch { /* cancelled below */ }
    })();
    const writer = child.stdin.getWriter();
    await writer.write(line(INITIALIZE));
    let batch = "";
    for (let i = 1; i <= 2000; i++) {
      batch += `${
        JSON.stringify({
          jsonrpc: "2.0",
          id: i,
          method: "tools/call",
          params: {
            name: "create_pair",
            arguments: { creatorMemberId: `m${i}` },
          },
        })
      }\n`;
    }
    const writing = writer.write(encoder.encode(batch)).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reader.cancel();
    await writing;
    await writer.close().catch(() => {});
    await drained;

    const status = await child.status;
    const log = await stderr;
    assert.equal(status.code, 0, log);
    assert.match(log, /Stopping: (stdout closed|stdin ended)/);
    assert.match(log, /Stopped/);
    assert.doesNotMatch(log, /Uncaught/);
  } finally {
    await dir.remove();
  }
});

Deno.test("server stops with status 1 on a message past the read limit", async () => {
  const dir = await tempDir();
  try {
    const { child, stderr } = spawnServer(`${dir.path}/big.db`);
    const drained = child.stdout.pipeTo(new WritableStream());
    const writer = child.stdin.getWriter();
    await writer.write(line(INITIALIZE));
    const huge = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "set_shared_state",
        arguments: {
          pairId: "p",
          key: "k",
          value: "x".repeat(11 * 1024 * 1024),
        },
      },
    };
    await writer.write(line(huge)).catch(() => {});
    await writer.close().catch(() => {});
    const status = await child.status;
    await drained.catch(() => {});
    const log = await stderr;
    assert.equal(status.code, 1, log);
    assert.match(log, /Transport error/);
    assert.match(log, /Stopped/);
  } finally {
    await dir.remove();
  }
});
