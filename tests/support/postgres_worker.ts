/**
 * A separate process for the PostgreSQL multi-process tests. It opens its
 * own store on `TENANT_PAIR_TEST_PG_URL`, prints "ready", waits for a line
 * on stdin so that all workers start together, runs one job, and prints the
 * job's result as one JSON line.
 *
 * Usage: deno run -A postgres_worker.ts <schema> <job as JSON>
 */
import { PostgresTenantStore, TenantPair, TenantPairError } from "../../mod.ts";

/** The jobs a worker can run. */
export type WorkerJob =
  | {
    kind: "write-many";
    pairId: string;
    memberId: string;
    key: string;
    count: number;
  }
  | { kind: "accept"; inviteToken: string; memberIds: string[] }
  | { kind: "accept-code"; shortCode: string; memberIds: string[] }
  | {
    kind: "write-and-read";
    pairId: string;
    memberId: string;
    key: string;
    value: string;
  };

/** The outcome of one call: its result, or the error code. */
export type Outcome = { ok: unknown } | { error: string };

async function settle(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await call() };
  } catch (error) {
    if (error instanceof TenantPairError) return { error: error.code };
    throw error;
  }
}

async function runJob(tenants: TenantPair, job: WorkerJob): Promise<unknown> {
  switch (job.kind) {
    case "write-many": {
      const versions: number[] = [];
      for (let i = 0; i < job.count; i++) {
        const result = await tenants.setSharedState(
          job.pairId,
          job.memberId,
          job.key,
          { by: job.memberId, i },
        );
        versions.push(result.version);
      }
      return versions;
    }
    case "accept":
    case "accept-code":
      return await Promise.all(
        job.memberIds.map((memberId) =>
          settle(() =>
            tenants.acceptInvite(
              job.kind === "accept"
                ? { inviteToken: job.inviteToken, memberId }
                : { shortCode: job.shortCode, memberId },
            )
          )
        ),
      );
    case "write-and-read": {
      const written = await tenants.setSharedState(
        job.pairId,
        job.memberId,
        job.key,
        job.value,
      );
      const read = await tenants.getSharedState(job.pairId);
      return { version: written.version, state: read.state };
    }
  }
}

async function waitForLine(): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  reader.releaseLock();
}

async function main(): Promise<void> {
  const [schema, jobText] = Deno.args;
  const url = Deno.env.get("TENANT_PAIR_TEST_PG_URL");
  if (schema === undefined || jobText === undefined || url === undefined) {
    throw new Error(
      "Usage: TENANT_PAIR_TEST_PG_URL=… postgres_worker.ts <schema> <job JSON>",
    );
  }
  const store = new PostgresTenantStore({ url }, { schema });
  try {
    await store.open();
    const tenants = new TenantPair({ store });
    // deno-lint-ignore no-console
    console.log("ready");
    await waitForLine();
    const result = await runJob(tenants, JSON.parse(jobText) as WorkerJob);
    // deno-lint-ignore no-console
    console.log(JSON.stringify(result));
  } finally {
    await store.close();
  }
}

/**
 * Runs one worker process per job on `schema`, starts them together once
 * all are ready, and returns each job's parsed result in order.
 */
export async function runWorkers(
  url: string,
  schema: string,
  jobs: WorkerJob[],
): Promise<unknown[]> {
  const workers = jobs.map((job) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        import.meta.filename as string,
        schema,
        JSON.stringify(job),
      ],
      env: { TENANT_PAIR_TEST_PG_URL: url },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return { child, lines: readLines(child.stdout) };
  });
  let finished = false;
  try {
    for (const worker of workers) {
      const first = await worker.lines.next();
      if (first.value !== "ready") {
        throw new Error(
          `A worker failed to start: ${await failure(worker.child)}`,
        );
      }
    }
    const go = new TextEncoder().encode("go\n");
    for (const worker of workers) {
      const writer = worker.child.stdin.getWriter();
      await writer.write(go);
      await writer.close();
    }
    const results: unknown[] = [];
    for (const worker of workers) {
      const line = await worker.lines.next();
      if (line.done === true) {
        throw new Error(`A worker failed: ${await failure(worker.child)}`);
      }
      results.push(JSON.parse(line.value));
    }
    finished = true;
    return results;
  } finally {
    for (const worker of workers) {
      // A worker still waiting for "go" after a failure would never exit.
      if (!finished) {
        try {
          worker.child.kill();
        } catch {
          // It has already exited.
        }
      }
      await worker.lines.return(undefined);
      await worker.child.stderr.cancel().catch(() => {});
      await worker.child.status;
    }
  }
}

async function failure(child: Deno.ChildProcess): Promise<string> {
  const stderr = await new Response(child.stderr).text();
  const status = await child.status;
  return `exit code ${status.code}: ${stderr.trim()}`;
}

async function* readLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
  }
  if (buffered !== "") yield buffered;
}

if (import.meta.main) await main();
