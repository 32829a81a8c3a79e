import { join } from "node:path";
import { TenantPair } from "../mod.ts";
import { openStore, resolveDatabase } from "../src/config.ts";
import {
  type CaseResult,
  DEFAULT_SYNCHRONOUS,
  type Engine,
  expect,
  makeBenchDir,
} from "./_harness.ts";
import type { WorkerPlan, WorkerReport } from "./_process_worker.ts";
import { mergeSorted, percentile, round, spread } from "./_stats.ts";

/** A database that several processes can open, new for every pass. */
export interface ProcessTarget {
  engine: Engine;
  /** Environment that makes `openStore` open this database. */
  env: Record<string, string>;
  /** Removes the database. */
  dispose(): Promise<void>;
}

/** Creates a new, empty database for one pass. */
export type ProcessTargetFactory = () => Promise<ProcessTarget>;

/** Creates a new SQLite file in a new temporary folder for each pass. */
export const sqliteProcessTarget: ProcessTargetFactory = async () => {
  const dir = await makeBenchDir();
  return {
    engine: "sqlite",
    env: { TENANT_PAIR_DB: join(dir, "processes.db") },
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
};

const WORKER_PATH = new URL("./_process_worker.ts", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Reads a child's stdout line by line. */
async function* lines(stream: ReadableStream<Uint8Array>) {
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let end = buffered.indexOf("\n");
    while (end >= 0) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      end = buffered.indexOf("\n");
    }
  }
}

async function withTenants<T>(
  target: ProcessTarget,
  fn: (tenants: TenantPair) => Promise<T>,
): Promise<T> {
  const store = await openStore(resolveDatabase(target.env));
  try {
    return await fn(new TenantPair({ store }));
  } finally {
    await store.close();
  }
}

/** Creates the pairs and members the workers write as; returns their plans. */
function planWrites(
  target: ProcessTarget,
  processes: number,
  hotKey: boolean,
  writes: number,
): Promise<WorkerPlan[]> {
  return withTenants(target, async (tenants) => {
    const plans: WorkerPlan[] = [];
    if (hotKey) {
      const pair = await tenants.createPair({ creatorMemberId: "writer-0" });
      for (let w = 0; w < processes; w++) {
        if (w > 0) {
          const invite = await tenants.inviteMember({
            pairId: pair.pairId,
            inviterMemberId: "writer-0",
          });
          await tenants.acceptInvite({
            inviteToken: invite.inviteToken,
            memberId: `writer-${w}`,
          });
        }
        plans.push({
          pairId: pair.pairId,
          memberId: `writer-${w}`,
          key: "hot",
          writes,
          worker: w,
        });
      }
      return plans;
    }
    for (let w = 0; w < processes; w++) {
      const pair = await tenants.createPair({ creatorMemberId: `writer-${w}` });
      plans.push({
        pairId: pair.pairId,
        memberId: `writer-${w}`,
        key: "key",
        writes,
        worker: w,
      });
    }
    return plans;
  });
}

/** Starts the workers, waits until all are ready, then starts them together. */
async function runWorkers(
  target: ProcessTarget,
  plans: WorkerPlan[],
): Promise<WorkerReport[]> {
  const children = plans.map((plan) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", WORKER_PATH, JSON.stringify(plan)],
      env: target.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return {
      child,
      output: lines(child.stdout),
      stderr: new Response(child.stderr).text(),
    };
  });
  const failure = async (index: number, what: string) => {
    const entry = children[index];
    const stderr = entry === undefined ? "" : await entry.stderr;
    return new Error(`Worker ${index} ${what}; stderr: ${stderr.slice(-2000)}`);
  };

  for (const [index, { output }] of children.entries()) {
    const line = await output.next();
    if (line.done || line.value !== "ready") {
      throw await failure(index, "did not report ready");
    }
  }
  const go = new TextEncoder().encode("go\n");
  const writers = children.map(({ child }) => child.stdin.getWriter());
  await Promise.all(writers.map((writer) => writer.write(go)));

  const reports: WorkerReport[] = [];
  for (const [index, { output, child }] of children.entries()) {
    const line = await output.next();
    await output.return(undefined);
    await writers[index]?.close();
    const status = await child.status;
    if (line.done || !status.success) {
      throw await failure(index, "failed");
    }
    reports.push(JSON.parse(line.value) as WorkerReport);
  }
  return reports;
}

async function verifyWrites(
  target: ProcessTarget,
  plans: WorkerPlan[],
  hotKey: boolean,
): Promise<string> {
  return await withTenants(target, async (tenants) => {
    const pairs = hotKey ? plans.slice(0, 1) : plans;
    const perKey = hotKey
      ? plans.reduce((sum, plan) => sum + plan.writes, 0)
      : plans[0]?.writes ?? 0;
    for (const plan of pairs) {
      const history = await tenants.getPairStateHistory(
        plan.pairId,
        "default",
        plan.key,
      );
      expect(history.length === perKey, `${plan.key} has ${perKey} versions`);
      const snapshot = await tenants.getSharedState(plan.pairId);
      expect(snapshot.version === perKey, `the pair's revision is ${perKey}`);
    }
    return `${pairs.length} key(s) with ${perKey} versions each, no write lost`;
  });
}

/**
 * Measures shared-state writes from several processes at once: one worker
 * process per writer, all started together after a ready handshake. The rate
 * is all writes over the time from the first start to the last end.
 */
export async function measureProcesses(
  factory: ProcessTargetFactory,
  options: { processes: number; hotKey: boolean; writes: number; runs: number },
): Promise<CaseResult> {
  const { processes, hotKey, writes, runs } = options;
  const rates: number[] = [];
  const latencies: Float64Array[] = [];
  let verified = "";
  let engine: Engine = "sqlite";

  for (let pass = 0; pass <= runs; pass++) {
    const target = await factory();
    engine = target.engine;
    try {
      const plans = await planWrites(target, processes, hotKey, writes);
      const reports = await runWorkers(target, plans);
      verified = await verifyWrites(target, plans, hotKey);
      if (pass === 0) continue;
      const start = Math.min(...reports.map((report) => report.startMs));
      const end = Math.max(...reports.map((report) => report.endMs));
      rates.push((processes * writes) / ((end - start) / 1000));
      for (const report of reports) {
        latencies.push(Float64Array.from(report.latencies));
      }
    } finally {
      await target.dispose();
    }
  }

  const rate = spread(rates);
  const sorted = mergeSorted(latencies);
  const id = hotKey ? `p${processes}-hot` : `p${processes}`;
  return {
    id,
    variant: engine === "sqlite"
      ? `engine=sqlite, synchronous=${DEFAULT_SYNCHRONOUS}`
      : `engine=${engine}`,
    operation: hotKey
      ? `setSharedState on one key from ${processes} processes at once`
      : `setSharedState from ${processes} process(es), each on its own pair`,
    kind: "write",
    engine,
    synchronous: engine === "sqlite" ? DEFAULT_SYNCHRONOUS : null,
    calls: processes * writes,
    runs,
    opsPerSecond: {
      min: round(rate.min),
      median: round(rate.median),
      max: round(rate.max),
      perRun: rates.map((value) => round(value)),
    },
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
    },
    ratioToRaw: null,
    pairedRawOpsPerSecond: null,
    facts: { processes, writesPerProcess: writes },
    verified,
  };
}
