/**
 * One writer process of the multi-process workloads. It opens the database
 * named by `TENANT_PAIR_DB` (and `TENANT_PAIR_PG_SCHEMA`), prints `ready`,
 * waits for a line on stdin, makes its writes and prints one JSON line with
 * its start and end times (milliseconds since the epoch) and latencies.
 *
 * @module
 */

import { TenantPair } from "../mod.ts";
import { openStore, resolveDatabase } from "../src/config.ts";

/** Plan of one worker's writes, passed as JSON in the first argument. */
export interface WorkerPlan {
  pairId: string;
  memberId: string;
  key: string;
  writes: number;
  worker: number;
}

/** Timing that one worker prints when done. */
export interface WorkerReport {
  startMs: number;
  endMs: number;
  latencies: number[];
}

const encoder = new TextEncoder();

async function waitForLine(): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stdin closed before the start signal");
    text += decoder.decode(value);
  }
  reader.releaseLock();
}

async function main(): Promise<void> {
  const plan = JSON.parse(Deno.args[0] ?? "{}") as WorkerPlan;
  const store = await openStore(resolveDatabase(Deno.env.toObject()));
  const tenants = new TenantPair({ store });
  try {
    await Deno.stdout.write(encoder.encode("ready\n"));
    await waitForLine();

    const latencies: number[] = [];
    const startMs = performance.timeOrigin + performance.now();
    let last = performance.now();
    for (let i = 0; i < plan.writes; i++) {
      await tenants.setSharedState(plan.pairId, plan.memberId, plan.key, {
        worker: plan.worker,
        i,
      });
      const now = performance.now();
      latencies.push(now - last);
      last = now;
    }
    const endMs = performance.timeOrigin + last;

    const report: WorkerReport = { startMs, endMs, latencies };
    await Deno.stdout.write(encoder.encode(`${JSON.stringify(report)}\n`));
  } finally {
    await store.close();
  }
}

if (import.meta.main) await main();
