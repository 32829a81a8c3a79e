/**
 * The workload runner behind `deno task bench`. It runs fixed workloads
 * through the public `TenantPair` API on new SQLite files in temporary
 * folders, next to raw `node:sqlite` inserts measured in the same process.
 * It prints a Markdown summary, or the full report with `--json`.
 *
 * @example Full run, chart written for the docs
 * ```sh
 * deno task bench --svg docs/benchmarks.svg
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { tmpdir } from "node:os";
import {
  type BenchCase,
  type CaseResult,
  DEFAULT_SYNCHRONOUS,
  measure,
  measureGroup,
  progress,
  type Synchronous,
} from "./_harness.ts";
import { type McpSection, measureMcp } from "./_mcp.ts";
import { planPostgres, postgresRawCase } from "./_postgres.ts";
import {
  measureProcesses,
  type ProcessTargetFactory,
  sqliteProcessTarget,
} from "./_processes.ts";
import { pairedRawCase, rawCases } from "./_raw.ts";
import {
  addRawRatios,
  describeMachine,
  judgeTargets,
  type Report,
  summarizeScale,
  toMarkdown,
} from "./_report.ts";
import { FULL_SIZES, QUICK_SIZES, type Sizes } from "./_sizes.ts";
import { renderChart } from "./_svg.ts";
import { readCases } from "./_workloads_read.ts";
import { writeCases } from "./_workloads_write.ts";

/** Workload ids that `--only` accepts. */
export const WORKLOAD_IDS: readonly string[] = [
  "raw",
  "a",
  "b",
  "c",
  "d",
  "e",
  "f",
  "g",
  "h",
  "h2",
  "processes",
  "mcp",
];

const SYNC_LEVELS: Synchronous[] = ["NORMAL", "FULL"];

const HELP = `Usage: deno task bench [options]

Runs the benchmark workloads and prints a Markdown summary to stdout.
Progress goes to stderr.

Options:
  --json          print the full report as JSON instead of Markdown
  --quick         tiny counts, to check that the runner works (figures are meaningless)
  --only IDS      comma-separated workloads to run: ${WORKLOAD_IDS.join(",")}
                  (raw is added when a write workload is chosen)
  --svg FILE      write a bar chart of ops/s to FILE
  --from FILE     run nothing: print (and chart) a report saved with --json
  -h, --help      show this help
`;

interface Flags {
  json: boolean;
  quick: boolean;
  only: Set<string>;
  svg: string | undefined;
  from: string | undefined;
}

function parseFlags(args: string[]): Flags | "help" {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      from: { type: "string" },
      svg: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const only = new Set(
    values.only === undefined
      ? WORKLOAD_IDS
      : values.only.split(",").map((id) => id.trim()).filter((id) => id),
  );
  for (const id of only) {
    if (!WORKLOAD_IDS.includes(id)) {
      throw new Error(
        `Invalid --only: unknown workload "${id}"; use some of ${
          WORKLOAD_IDS.join(",")
        }`,
      );
    }
  }
  const writes = ["a", "b", "c", "e", "g", "processes"];
  if (writes.some((id) => only.has(id))) only.add("raw");
  return {
    json: values.json,
    quick: values.quick,
    only,
    svg: values.svg,
    from: values.from,
  };
}

/**
 * Lists the in-process cases in the order they run. Each inner list runs as
 * one group: a write case alone, or the read cases of one workload, whose
 * passes interleave.
 */
function selectCases(
  sizes: Sizes,
  only: Set<string>,
): BenchCase<unknown>[][] {
  const groups: BenchCase<unknown>[][] = [];
  if (only.has("raw")) {
    for (const level of SYNC_LEVELS) {
      groups.push(...rawCases(sizes, level).map((c) => [c]));
    }
  }
  const writes = SYNC_LEVELS.flatMap((level) => writeCases(sizes, level));
  for (const id of ["a", "b", "c", "e", "g"]) {
    if (!only.has(id)) continue;
    groups.push(...writes.filter((c) => c.id === id).map((c) => [c]));
  }
  for (const [id, group] of readCases(sizes)) {
    if (only.has(id)) groups.push(group);
  }
  return groups;
}

/** Returns the raw pass to pair with a case: SQLite write workloads get one. */
function referenceFor(
  benchCase: BenchCase<unknown>,
  sizes: Sizes,
): BenchCase<unknown> | undefined {
  const paired = benchCase.kind === "write" && benchCase.id !== "raw" &&
    (benchCase.engine ?? "sqlite") === "sqlite" &&
    benchCase.synchronous !== null;
  return paired
    ? pairedRawCase(sizes, benchCase.synchronous as Synchronous)
    : undefined;
}

async function measureEach(
  group: BenchCase<unknown>[],
  sizes: Sizes,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const benchCase of group) {
    const reference = referenceFor(benchCase, sizes);
    results.push(await measure(benchCase, sizes.runs, reference));
  }
  return results;
}

async function runCases(
  groups: BenchCase<unknown>[][],
  sizes: Sizes,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const group of groups) {
    const started = performance.now();
    const names = group.map((c) => `${c.id} ${c.variant}`);
    progress(`${names.join("; ")}: running`);
    const measured = group.every((c) => !c.freshPerPass)
      ? await measureGroup(group, sizes.runs)
      : await measureEach(group, sizes);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const result of measured) {
      progress(
        `${result.id} ${result.variant}: median ${result.opsPerSecond.median} ops/s`,
      );
    }
    progress(`(${seconds} s)`);
    results.push(...measured);
  }
  return results;
}

async function runProcessCases(
  factory: ProcessTargetFactory,
  writes: number,
  runs: number,
): Promise<CaseResult[]> {
  const shapes = [
    { processes: 1, hotKey: false },
    { processes: 4, hotKey: false },
    { processes: 4, hotKey: true },
  ];
  const results: CaseResult[] = [];
  for (const shape of shapes) {
    progress(`processes ${JSON.stringify(shape)}: running`);
    const result = await measureProcesses(factory, {
      ...shape,
      writes,
      runs,
    });
    progress(
      `${result.id} ${result.variant}: median ${result.opsPerSecond.median} ops/s`,
    );
    results.push(result);
  }
  return results;
}

/** Runs the chosen workloads and builds the report. */
async function runBenchmarks(flags: Flags): Promise<Report> {
  const sizes = flags.quick ? QUICK_SIZES : FULL_SIZES;
  const startedAt = new Date();
  const started = performance.now();

  const results = await runCases(selectCases(sizes, flags.only), sizes);

  let postgresStatus = "not selected";
  if (flags.only.has("processes")) {
    results.push(
      ...await runProcessCases(
        sqliteProcessTarget,
        sizes.processWrites,
        sizes.runs,
      ),
    );
    const plan = await planPostgres();
    postgresStatus = plan.status;
    if (plan.factory !== null) {
      results.push(
        ...await runCases([[postgresRawCase(plan.url, sizes)]], sizes),
        ...await runProcessCases(
          plan.factory,
          sizes.postgresProcessWrites,
          sizes.runs,
        ),
      );
    }
  }

  let mcp: McpSection = { status: "not selected" };
  if (flags.only.has("mcp")) mcp = await measureMcp(sizes);

  addRawRatios(results);
  const scale = summarizeScale(results);
  return {
    command: ["deno run -A bench/run.ts", ...Deno.args].join(" "),
    startedAt: startedAt.toISOString(),
    seconds: Math.round((performance.now() - started) / 1000),
    quick: flags.quick,
    defaultSynchronous: DEFAULT_SYNCHRONOUS,
    machine: describeMachine(Deno.env.get("TMPDIR") ?? tmpdir()),
    results,
    scale,
    mcp,
    postgres: { status: postgresStatus },
    targets: judgeTargets(results, scale, mcp),
  };
}

async function writeAll(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += await Deno.stdout.write(bytes.subarray(written));
  }
}

async function main(args: string[]): Promise<number> {
  let flags: Flags | "help";
  try {
    flags = parseFlags(args);
  } catch (error) {
    progress((error as Error).message);
    return 2;
  }
  if (flags === "help") {
    await writeAll(HELP);
    return 0;
  }

  const report = flags.from === undefined
    ? await runBenchmarks(flags)
    : JSON.parse(await Deno.readTextFile(flags.from)) as Report;
  if (flags.svg !== undefined) {
    const title = `tenant-pair benchmarks, ${report.startedAt.slice(0, 10)}${
      report.quick ? " (quick mode: not real figures)" : ""
    }`;
    await Deno.writeTextFile(flags.svg, renderChart(report.results, title));
  }
  const text = flags.json
    ? JSON.stringify(report, null, 2) + "\n"
    : toMarkdown(report);
  await writeAll(text);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
