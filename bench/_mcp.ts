import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { expect, makeBenchDir, progress } from "./_harness.ts";
import type { Sizes } from "./_sizes.ts";
import {
  mergeSorted,
  percentile,
  round,
  type Spread,
  spread,
} from "./_stats.ts";

/** Latency percentiles of one tool, in milliseconds. */
export interface ToolLatency {
  p50: number;
  p99: number;
}

/** MCP figures, or why they were not measured. */
export type McpSection =
  | { status: string }
  | {
    status: "measured";
    /** Spawn to a completed `initialize` and `tools/list`, in milliseconds. */
    coldStartMs: Spread & { samples: number };
    /** Spawn to exit of `deno run` on an empty script, in milliseconds. */
    bareRuntimeMs: Spread & { samples: number };
    /** One `tools/call` each, over stdio through the SDK client. */
    roundTripMs: {
      calls: number;
      setSharedState: ToolLatency;
      getSharedState: ToolLatency;
    };
  };

const REPO_ROOT = new URL("..", import.meta.url).pathname;
const SERVER_PATH = join(REPO_ROOT, "server.ts");
const MEMBER = "alice";

/** Lines the server wrote to stderr, kept to explain a failure. */
function captureStderr(transport: StdioClientTransport): () => string {
  let text = "";
  transport.stderr?.on("data", (chunk: Uint8Array | string) => {
    text = (text + chunk.toString()).slice(-4000);
  });
  return () => text;
}

async function startServer(dbPath: string) {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", SERVER_PATH],
    env: { TENANT_PAIR_DB: dbPath, TENANT_PAIR_LOG_LEVEL: "warn" },
    cwd: REPO_ROOT,
    stderr: "pipe",
  });
  const stderr = captureStderr(transport);
  const client = new Client({ name: "tenant-pair-bench", version: "0.0.0" });
  await client.connect(transport);
  return { client, stderr };
}

/** Times spawn to a completed `initialize` and `tools/list`. */
async function timeColdStart(dir: string, sample: number): Promise<number> {
  const start = performance.now();
  const { client, stderr } = await startServer(join(dir, `cold-${sample}.db`));
  try {
    const { tools } = await client.listTools();
    const elapsed = performance.now() - start;
    const names = new Set(tools.map((tool: { name: string }) => tool.name));
    expect(
      names.has("set_shared_state") && names.has("get_shared_state"),
      `the server lists set_shared_state and get_shared_state; stderr: ${stderr()}`,
    );
    return elapsed;
  } finally {
    await client.close();
  }
}

/** Times spawn to exit of `deno run` on an empty script. */
async function timeBareRuntime(emptyScript: string): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", emptyScript],
    cwd: REPO_ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - start;
  expect(output.success, "deno run of an empty script exits with 0");
  return elapsed;
}

type ToolResult = Awaited<ReturnType<Client["callTool"]>>;

/** Reads a field from a tool result's structured content or JSON text. */
function field(result: ToolResult, name: string): unknown {
  const structured = result.structuredContent as
    | Record<string, unknown>
    | undefined;
  if (structured !== undefined && name in structured) return structured[name];
  const content = result.content as { type: string; text?: string }[];
  const text = content.find((part) => part.type === "text")?.text ?? "";
  try {
    return (JSON.parse(text) as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

function requireSuccess(result: ToolResult, tool: string, stderr: string) {
  if (result.isError === true) {
    const content = result.content as { text?: string }[];
    throw new Error(
      `Benchmark check failed: ${tool} returned an error: ${
        content[0]?.text ?? ""
      }; server stderr: ${stderr}`,
    );
  }
}

/** Times `set_shared_state` and `get_shared_state` calls on one server. */
async function timeRoundTrips(dir: string, sizes: Sizes) {
  const { client, stderr } = await startServer(join(dir, "round-trip.db"));
  try {
    const created = await client.callTool({
      name: "create_pair",
      arguments: { creatorMemberId: MEMBER },
    });
    requireSuccess(created, "create_pair", stderr());
    const pairId = field(created, "pairId");
    expect(typeof pairId === "string", "create_pair returned a pairId");

    const total = sizes.mcpWarmupRoundTrips + sizes.mcpRoundTrips;
    const setTimes = new Float64Array(sizes.mcpRoundTrips);
    const getTimes = new Float64Array(sizes.mcpRoundTrips);
    let last: ToolResult | undefined;
    for (let i = 0; i < total; i++) {
      const t0 = performance.now();
      const set = await client.callTool({
        name: "set_shared_state",
        arguments: {
          pairId,
          memberId: MEMBER,
          key: `key-${i % 10}`,
          value: { n: i },
        },
      });
      const t1 = performance.now();
      last = await client.callTool({
        name: "get_shared_state",
        arguments: { pairId },
      });
      const t2 = performance.now();
      requireSuccess(set, "set_shared_state", stderr());
      requireSuccess(last, "get_shared_state", stderr());
      const j = i - sizes.mcpWarmupRoundTrips;
      if (j >= 0) {
        setTimes[j] = t1 - t0;
        getTimes[j] = t2 - t1;
      }
    }
    const revision = last === undefined ? undefined : field(last, "version");
    expect(
      revision === total,
      `the last get_shared_state returned revision ${total}, got ${revision}`,
    );
    return { setTimes, getTimes };
  } finally {
    await client.close();
  }
}

function latency(times: Float64Array): ToolLatency {
  const sorted = mergeSorted([times]);
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
  };
}

function summarize(samples: number[]): Spread & { samples: number } {
  const figures = spread(samples);
  return {
    min: round(figures.min),
    median: round(figures.median),
    max: round(figures.max),
    samples: samples.length,
  };
}

/**
 * Measures the stdio MCP server in `server.ts` through the SDK client, on an
 * embedded SQLite file in a temporary folder.
 */
export async function measureMcp(sizes: Sizes): Promise<McpSection> {
  try {
    await Deno.stat(SERVER_PATH);
  } catch {
    return { status: "not measured: server.ts missing" };
  }
  const dir = await makeBenchDir();
  try {
    const emptyScript = join(dir, "empty.ts");
    await Deno.writeTextFile(emptyScript, "");
    // The first start of each fills Deno's caches; it is not counted.
    await timeBareRuntime(emptyScript);
    await timeColdStart(dir, -1);

    progress("mcp: cold starts");
    const cold: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < sizes.mcpStarts; i++) {
      cold.push(await timeColdStart(dir, i));
      bare.push(await timeBareRuntime(emptyScript));
    }

    progress("mcp: round trips");
    const { setTimes, getTimes } = await timeRoundTrips(dir, sizes);
    return {
      status: "measured",
      coldStartMs: summarize(cold),
      bareRuntimeMs: summarize(bare),
      roundTripMs: {
        calls: sizes.mcpRoundTrips,
        setSharedState: latency(setTimes),
        getSharedState: latency(getTimes),
      },
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
