import { DatabaseSync } from "node:sqlite";
import type { CaseResult, Synchronous } from "./_harness.ts";
import type { McpSection } from "./_mcp.ts";
import { round } from "./_stats.ts";

/** The machine a report was measured on. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  deno: string;
  v8: string;
  sqlite: string;
  tempDir: string;
}

/** Growth of read cost with the data, from the h, h2 and f cases. */
export interface ScaleSummary {
  /** Per-call time at the most rows over the time at the fewest. */
  h: number | null;
  h2: number | null;
  /** Microseconds per returned history version, by version count. */
  historyMicrosPerVersion: Record<string, number>;
  /** Per-call time of the largest history read over the smallest. */
  historyCostRatio: number | null;
  /** Per-call time with filler rows in other pairs over the time without. */
  historyOtherRowsRatio: number | null;
}

/** One target from the task, judged on this run's figures. */
export interface TargetCheck {
  target: string;
  /** `null` when the figures it needs were not measured. */
  met: boolean | null;
  detail: string;
}

/** The whole output of one runner invocation, as written with `--json`. */
export interface Report {
  command: string;
  startedAt: string;
  seconds: number;
  quick: boolean;
  /** The `synchronous` level `SqliteTenantStore` uses when none is given. */
  defaultSynchronous: Synchronous;
  machine: Machine;
  results: CaseResult[];
  scale: ScaleSummary;
  mcp: McpSection;
  /** Whether PostgreSQL cases ran, and why not when they did not. */
  postgres: { status: string };
  targets: TargetCheck[];
}

/** Collects the CPU, memory, OS and runtime versions for the report. */
export function describeMachine(tempDir: string): Machine {
  let cpu = "unknown";
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: the CPU model stays unknown.
  }
  const db = new DatabaseSync(":memory:");
  const sqlite = (db.prepare("SELECT sqlite_version() AS v").get() as {
    v: string;
  }).v;
  db.close();
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryGiB: round(Deno.systemMemoryInfo().total / 2 ** 30, 3),
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    sqlite,
    tempDir,
  };
}

function referenceKey(result: CaseResult): string {
  return `${result.engine} ${result.synchronous ?? "server default"}`;
}

/**
 * Sets each write case's rate as a fraction of the raw per-insert commit
 * rate on the same engine and `synchronous` level.
 */
export function addRawRatios(results: CaseResult[]): void {
  const raw = new Map<string, number>();
  for (const result of results) {
    if (result.id === "raw" && result.facts.transactionPerInsert === 1) {
      raw.set(referenceKey(result), result.opsPerSecond.median);
    }
  }
  for (const result of results) {
    const reference = raw.get(referenceKey(result));
    if (result.kind !== "write" || reference === undefined) continue;
    if (result.ratioToRaw !== null) continue;
    result.ratioToRaw = round(result.opsPerSecond.median / reference, 3);
  }
}

function byId(results: CaseResult[], id: string): CaseResult[] {
  return results.filter((result) => result.id === id);
}

/** Per-call time of the case with the largest fact over the smallest. */
function costRatio(cases: CaseResult[], fact: string): number | null {
  if (cases.length < 2) return null;
  const sorted = [...cases].sort((a, b) =>
    (a.facts[fact] ?? 0) - (b.facts[fact] ?? 0)
  );
  const smallest = sorted[0] as CaseResult;
  const largest = sorted[sorted.length - 1] as CaseResult;
  return round(
    smallest.opsPerSecond.median / largest.opsPerSecond.median,
    3,
  );
}

/** Summarises how read cost grows with rows and versions. */
export function summarizeScale(results: CaseResult[]): ScaleSummary {
  const history = byId(results, "f");
  const plain = history.filter((result) => result.facts.otherRows === 0);
  const filled = history.find((result) => (result.facts.otherRows ?? 0) > 0);
  const twin = plain.find((result) =>
    result.facts.versions === filled?.facts.versions
  );
  const micros: Record<string, number> = {};
  for (const result of plain) {
    const versions = result.facts.versions ?? 1;
    micros[String(versions)] = round(
      1e6 / result.opsPerSecond.median / versions,
      3,
    );
  }
  return {
    h: costRatio(byId(results, "h"), "rows"),
    h2: costRatio(byId(results, "h2"), "rows"),
    historyMicrosPerVersion: micros,
    historyCostRatio: costRatio(plain, "versions"),
    historyOtherRowsRatio: filled === undefined || twin === undefined
      ? null
      : round(twin.opsPerSecond.median / filled.opsPerSecond.median, 3),
  };
}

/** The write workloads that make one write per call. */
const SINGLE_WRITES = ["a", "b", "c"];
const MIN_RAW_FRACTION = 0.4;
const MAX_SCALE_RATIO = 1.5;
const MAX_MCP_MEDIAN_MS = 2;

function writeTarget(
  results: CaseResult[],
  synchronous: Synchronous,
): TargetCheck {
  const cases = results.filter((result) =>
    SINGLE_WRITES.includes(result.id) && result.engine === "sqlite" &&
    result.synchronous === synchronous
  );
  const target =
    `single-write workloads (a, b, c) at synchronous=${synchronous} reach at least 40% of raw one-transaction-per-insert`;
  if (cases.length === 0 || cases.some((c) => c.ratioToRaw === null)) {
    return { target, met: null, detail: "not measured in this run" };
  }
  const parts = cases.map((c) => `${c.id} ${percent(c.ratioToRaw as number)}`);
  return {
    target,
    met: cases.every((c) => (c.ratioToRaw as number) >= MIN_RAW_FRACTION),
    detail: parts.join(", "),
  };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function scaleTarget(scale: ScaleSummary): TargetCheck {
  const target =
    "current-state read at the most rows within 1.5x of the read at 1 row (h and h2)";
  if (scale.h === null && scale.h2 === null) {
    return { target, met: null, detail: "not measured in this run" };
  }
  const ratios = [scale.h, scale.h2].filter((r): r is number => r !== null);
  return {
    target,
    met: ratios.every((ratio) => ratio <= MAX_SCALE_RATIO),
    detail: `h ${scale.h ?? "not measured"}x, h2 ${
      scale.h2 ?? "not measured"
    }x`,
  };
}

function historyTarget(scale: ScaleSummary): TargetCheck {
  const target =
    "history read cost grows with the versions returned, not with the table";
  const perVersion = Object.entries(scale.historyMicrosPerVersion);
  if (perVersion.length < 2 || scale.historyOtherRowsRatio === null) {
    return { target, met: null, detail: "not measured in this run" };
  }
  const sorted = perVersion.sort((a, b) => Number(a[0]) - Number(b[0]));
  const [, largest] = sorted[sorted.length - 1] as [string, number];
  const [, nextLargest] = sorted[sorted.length - 2] as [string, number];
  // Linear growth keeps the cost per version flat between the two largest
  // sizes; filler rows elsewhere must not change the cost.
  const linear = largest <= nextLargest * MAX_SCALE_RATIO;
  const tableFree = scale.historyOtherRowsRatio <= MAX_SCALE_RATIO;
  return {
    target,
    met: linear && tableFree,
    detail: `µs per version: ${
      sorted.map(([v, us]) => `${v} versions ${us}`).join(", ")
    }; with filler rows in other pairs ${scale.historyOtherRowsRatio}x the time without`,
  };
}

function mcpTarget(mcp: McpSection): TargetCheck {
  const target = "MCP tool round trip median under 2 ms on the embedded store";
  if (mcp.status !== "measured" || !("roundTripMs" in mcp)) {
    return { target, met: null, detail: mcp.status };
  }
  const { setSharedState, getSharedState } = mcp.roundTripMs;
  return {
    target,
    met: setSharedState.p50 < MAX_MCP_MEDIAN_MS &&
      getSharedState.p50 < MAX_MCP_MEDIAN_MS,
    detail:
      `set_shared_state ${setSharedState.p50} ms, get_shared_state ${getSharedState.p50} ms`,
  };
}

/** Judges each target of the task on this run's figures. */
export function judgeTargets(
  results: CaseResult[],
  scale: ScaleSummary,
  mcp: McpSection,
): TargetCheck[] {
  return [
    writeTarget(results, "NORMAL"),
    writeTarget(results, "FULL"),
    scaleTarget(scale),
    historyTarget(scale),
    mcpTarget(mcp),
  ];
}

/** Short names of the workloads for tables and the chart. */
export const TITLES: Record<string, string> = {
  raw: "node:sqlite INSERT",
  a: "createPair",
  b: "acceptInvite",
  c: "setSharedState",
  d: "getSharedState, 50 keys",
  e: "setMemberPreference + getMemberConstraints",
  f: "getPairStateHistory",
  g: "listConflicts + resolveConflicts",
  h: "getSharedState, rows in other pairs",
  h2: "getSharedState, rows as versions",
  p1: "setSharedState, 1 process",
  p4: "setSharedState, 4 processes",
  "p4-hot": "setSharedState, 4 processes, 1 key",
};

/** Returns the short name of a case's workload. */
export function titleOf(result: CaseResult): string {
  if (result.id === "raw" && result.engine === "postgres") {
    return "postgres.js INSERT";
  }
  return TITLES[result.id] ?? result.operation;
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Renders the report as Markdown: machine, results, scale, MCP, targets. */
export function toMarkdown(report: Report): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Deno ${m.deno}, V8 ${m.v8}, SQLite ${m.sqlite}. Temporary folder: ${m.tempDir}.`,
    "",
    `Command: \`${report.command}\`, ${report.seconds} s, started ${report.startedAt}. Default synchronous: ${report.defaultSynchronous}.`,
    "",
    "| id | workload | variant | ops/s median | min – max | p50 ms | p99 ms | raw ops/s beside | of raw |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|",
  );
  for (const r of report.results) {
    const ratio = r.ratioToRaw === null ? "" : percent(r.ratioToRaw);
    const beside = r.pairedRawOpsPerSecond === null
      ? ""
      : formatRate(r.pairedRawOpsPerSecond.median);
    out.push(
      `| ${r.id} | ${titleOf(r)} | ${r.variant} | ${
        formatRate(r.opsPerSecond.median)
      } | ${formatRate(r.opsPerSecond.min)} – ${
        formatRate(r.opsPerSecond.max)
      } | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${beside} | ${ratio} |`,
    );
  }
  const s = report.scale;
  out.push(
    "",
    `Scale: h ${s.h ?? "–"}x and h2 ${
      s.h2 ?? "–"
    }x (per-call time at the most rows over 1 row); history ${
      s.historyCostRatio ?? "–"
    }x (most versions over fewest), µs per version ${
      JSON.stringify(s.historyMicrosPerVersion)
    }, filler rows elsewhere ${s.historyOtherRowsRatio ?? "–"}x.`,
    "",
    mcpLine(report.mcp),
    "",
    `PostgreSQL: ${report.postgres.status}.`,
    "",
    "| target | met | figures |",
    "|---|---|---|",
  );
  for (const t of report.targets) {
    let met = "not measured";
    if (t.met !== null) met = t.met ? "met" : "missed";
    out.push(`| ${t.target} | ${met} | ${t.detail} |`);
  }
  return out.join("\n") + "\n";
}

function mcpLine(mcp: McpSection): string {
  if (mcp.status !== "measured" || !("coldStartMs" in mcp)) {
    return `MCP: ${mcp.status}.`;
  }
  const rt = mcp.roundTripMs;
  return `MCP: cold start to initialize + tools/list median ${mcp.coldStartMs.median} ms (${mcp.coldStartMs.min} – ${mcp.coldStartMs.max}, ${mcp.coldStartMs.samples} starts); bare \`deno run\` of an empty script ${mcp.bareRuntimeMs.median} ms; set_shared_state p50 ${rt.setSharedState.p50} ms, p99 ${rt.setSharedState.p99} ms; get_shared_state p50 ${rt.getSharedState.p50} ms, p99 ${rt.getSharedState.p99} ms (${rt.calls} calls each).`;
}
