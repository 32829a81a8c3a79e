import assert from "node:assert/strict";
import { WORKLOAD_IDS } from "../bench/run.ts";

const RUNNER = new URL("../bench/run.ts", import.meta.url).pathname;

interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

async function runRunner(args: string[]): Promise<RunOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RUNNER, ...args],
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

interface ResultShape {
  id: string;
  variant: string;
  opsPerSecond: { min: number; median: number; max: number };
  latencyMs: { p50: number; p99: number };
  ratioToRaw: number | null;
  pairedRawOpsPerSecond: { median: number } | null;
  kind: string;
  verified: string;
}

function isFigure(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

Deno.test("bench runner --quick --json reports every workload", async () => {
  const run = await runRunner(["--quick", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);

  const results = report.results as ResultShape[];
  const ids = new Set(results.map((result) => result.id));
  const inProcess = WORKLOAD_IDS.filter((id) =>
    id !== "processes" && id !== "mcp"
  );
  for (const id of [...inProcess, "p1", "p4", "p4-hot"]) {
    assert.ok(ids.has(id), `workload ${id} is in the report`);
  }
  for (const result of results) {
    const name = `${result.id} ${result.variant}`;
    assert.ok(isFigure(result.opsPerSecond.min), `${name} min`);
    assert.ok(isFigure(result.opsPerSecond.median), `${name} median`);
    assert.ok(isFigure(result.opsPerSecond.max), `${name} max`);
    assert.ok(isFigure(result.latencyMs.p50), `${name} p50`);
    assert.ok(isFigure(result.latencyMs.p99), `${name} p99`);
    assert.ok(result.verified.length > 0, `${name} was checked`);
    if (result.kind === "write" && result.variant.includes("synchronous=")) {
      assert.ok(isFigure(result.ratioToRaw), `${name} ratio to raw`);
    }
    if (
      result.kind === "write" && ["a", "b", "c", "e", "g"].includes(result.id)
    ) {
      assert.ok(
        isFigure(result.pairedRawOpsPerSecond?.median),
        `${name} has raw passes beside it`,
      );
    }
  }
  for (const level of ["NORMAL", "FULL"]) {
    for (const id of ["a", "b", "c", "e", "g"]) {
      assert.ok(
        results.some((r) => r.id === id && r.variant.includes(level)),
        `workload ${id} ran at synchronous=${level}`,
      );
    }
  }

  assert.equal(report.defaultSynchronous, "NORMAL");
  assert.ok(isFigure(report.scale.h), "h cost ratio");
  assert.ok(isFigure(report.scale.h2), "h2 cost ratio");
  assert.ok(isFigure(report.scale.historyOtherRowsRatio), "history ratio");
  assert.equal(report.targets.length, 5);

  const serverExists = await Deno.stat(
    new URL("../server.ts", import.meta.url),
  ).then(() => true, () => false);
  if (serverExists) {
    assert.equal(report.mcp.status, "measured");
    assert.ok(isFigure(report.mcp.coldStartMs.median), "MCP cold start");
    assert.ok(isFigure(report.mcp.bareRuntimeMs.median), "bare start");
    assert.ok(isFigure(report.mcp.roundTripMs.setSharedState.p50), "MCP set");
    assert.ok(isFigure(report.mcp.roundTripMs.getSharedState.p50), "MCP get");
  } else {
    assert.equal(report.mcp.status, "not measured: server.ts missing");
  }
  assert.equal(typeof report.postgres.status, "string");
});

Deno.test("bench runner --only runs the chosen workloads", async () => {
  const run = await runRunner(["--quick", "--json", "--only", "d,h"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const ids = new Set(
    (report.results as ResultShape[]).map((result) => result.id),
  );
  assert.deepEqual([...ids].sort(), ["d", "h"]);
  assert.equal(report.mcp.status, "not selected");
});

Deno.test("bench runner --only rejects an unknown workload", async () => {
  const run = await runRunner(["--only", "a,zz"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown workload "zz"/);
  assert.equal(run.stdout, "");
});
