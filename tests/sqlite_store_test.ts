import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteTenantStore, TenantPair } from "../mod.ts";
import { assertCode } from "./support/harness.ts";
import { tempDir } from "./support/stores.ts";

const WORKER = new URL("./support/sqlite_worker.ts", import.meta.url).pathname;

async function readIfExists(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Uint8Array();
    throw error;
  }
}

/** Reports whether `needle` occurs in the database file, its WAL or its shm. */
async function foundOnDisk(path: string, needle: string): Promise<boolean> {
  const bytes = new TextEncoder().encode(needle);
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    const data = await readIfExists(file);
    outer: for (let i = 0; i + bytes.length <= data.length; i++) {
      for (let j = 0; j < bytes.length; j++) {
        if (data[i + j] !== bytes[j]) continue outer;
      }
      return true;
    }
  }
  return false;
}

function runWorker(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function workerResult(
  child: Deno.ChildProcess,
): Promise<Record<string, unknown>> {
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("SqliteTenantStore uses WAL and records its schema version", async () => {
  const dir = await tempDir();
  try {
    const store = new SqliteTenantStore({ path: `${dir.path}/t.db` });
    await store.open();
    const peek = new DatabaseSync(`${dir.path}/t.db`);
    const mode = peek.prepare("PRAGMA journal_mode").get() as {
      journal_mode: string;
    };
    assert.equal(mode.journal_mode, "wal");
    const version = peek.prepare("PRAGMA user_version").get() as {
      user_version: number;
    };
    assert.equal(version.user_version, 1);
    peek.close();
    await store.close();
  } finally {
    await dir.remove();
  }
});

Deno.test("forgetMember() leaves no byte of the value on disk", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/erase.db`;
  const store = new SqliteTenantStore({ path });
  // Another connection keeps the file open the whole time.
  const other = new DatabaseSync(path);
  try {
    const tenants = new TenantPair({ store });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    await tenants.acceptInvite({
      inviteToken: pair.inviteToken,
      memberId: "bob",
      displayName: "Bob Name-Marker",
    });
    const marker = `private-marker-${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) {
      await tenants.setMemberPreference(
        pair.pairId,
        "bob",
        "note",
        `${marker} v${i}`,
      );
    }
    // Many rows push the marker's pages through WAL checkpoints too.
    for (let i = 0; i < 200; i++) {
      await tenants.setSharedState(
        pair.pairId,
        "alice",
        `filler-${i % 20}`,
        "f".repeat(200),
      );
    }
    assert.ok(
      await foundOnDisk(path, marker),
      "the marker is on disk before erasure",
    );
    assert.ok(await foundOnDisk(path, "Bob Name-Marker"));

    const report = await tenants.forgetMember(pair.pairId, "bob");
    assert.equal(report.diskScrubbed, true);
    assert.equal(report.privateVersionsErased, 3);
    assert.equal(await foundOnDisk(path, marker), false);
    assert.equal(await foundOnDisk(path, "Bob Name-Marker"), false);
    const exported = JSON.stringify(
      await tenants.exportMemberData(pair.pairId, "bob"),
    );
    assert.ok(!exported.includes(marker));
  } finally {
    other.close();
    await store.close();
    await dir.remove();
  }
});

Deno.test("forgetMember() reports failure while a reader blocks the checkpoint", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/blocked.db`;
  const store = new SqliteTenantStore({ path, busyTimeoutMs: 200 });
  const reader = new DatabaseSync(path);
  try {
    const tenants = new TenantPair({ store });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    await tenants.acceptInvite({
      inviteToken: pair.inviteToken,
      memberId: "bob",
    });
    await tenants.setMemberPreference(
      pair.pairId,
      "bob",
      "note",
      "blocked-marker",
    );
    reader.exec("BEGIN");
    reader.prepare("SELECT COUNT(*) FROM pairs").get();

    await assertCode(
      tenants.forgetMember(pair.pairId, "bob"),
      "STORE_UNAVAILABLE",
      "call forgetMember again",
    );
    // The rows are gone even though the disk was not scrubbed.
    const data = await tenants.exportMemberData(pair.pairId, "bob");
    assert.deepEqual(data.preferences, []);

    reader.exec("COMMIT");
    const retry = await tenants.forgetMember(pair.pairId, "bob");
    assert.equal(retry.diskScrubbed, true);
    assert.equal(await foundOnDisk(path, "blocked-marker"), false);
  } finally {
    reader.close();
    await store.close();
    await dir.remove();
  }
});

Deno.test("invite tokens and short codes never reach the file in clear", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/secrets.db`;
  const store = new SqliteTenantStore({ path });
  try {
    const tenants = new TenantPair({ store });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    const invite = await tenants.inviteMember({
      pairId: pair.pairId,
      inviterMemberId: "alice",
    });
    await tenants.acceptInvite({
      shortCode: invite.shortCode,
      memberId: "bob",
    });
    for (const secret of [pair.inviteToken, invite.inviteToken]) {
      assert.equal(await foundOnDisk(path, secret), false);
    }
    for (const code of [pair.shortCode, invite.shortCode]) {
      assert.equal(await foundOnDisk(path, code), false);
      assert.equal(await foundOnDisk(path, code.replace("-", "")), false);
    }
  } finally {
    await store.close();
    await dir.remove();
  }
});

Deno.test("SqliteTenantStore rejects a file from a newer release", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/new.db`;
  try {
    const first = new SqliteTenantStore({ path });
    await new TenantPair({ store: first }).createPair({
      creatorMemberId: "alice",
    });
    await first.close();
    const raw = new DatabaseSync(path);
    raw.exec("PRAGMA user_version = 99");
    raw.close();

    const store = new SqliteTenantStore({ path });
    await assertCode(store.open(), "SCHEMA_TOO_NEW", "upgrade tenant-pair");
    await store.close();
  } finally {
    await dir.remove();
  }
});

Deno.test("SqliteTenantStore keeps data across reopening", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/reopen.db`;
  try {
    const first = new SqliteTenantStore({ path });
    const pair = await new TenantPair({ store: first }).createPair({
      creatorMemberId: "alice",
    });
    await first.close();
    const second = new SqliteTenantStore({ path });
    const again = await new TenantPair({ store: second }).getPair(pair.pairId);
    assert.equal(again.memberCount, 1);
    await second.close();
    await assertCode(second.read(() => Promise.resolve()), "STORE_UNAVAILABLE");
  } finally {
    await dir.remove();
  }
});

Deno.test("two processes writing one file lose nothing", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/shared.db`;
  try {
    const store = new SqliteTenantStore({ path });
    const tenants = new TenantPair({ store });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    await tenants.acceptInvite({
      inviteToken: pair.inviteToken,
      memberId: "bob",
    });
    await store.close();

    const children = [
      runWorker([path, "write", pair.pairId, "alice", "counter", "150"]),
      runWorker([path, "write", pair.pairId, "bob", "counter", "150"]),
    ];
    const results = await Promise.all(children.map(workerResult));
    const versions = results.flatMap((r) => r.versions as number[]).sort((
      a,
      b,
    ) => a - b);
    assert.deepEqual(results.flatMap((r) => r.errors as string[]), []);
    assert.deepEqual(versions, Array.from({ length: 300 }, (_, i) => i + 1));

    const reopened = new SqliteTenantStore({ path });
    const check = new TenantPair({ store: reopened });
    const history = await check.getPairStateHistory(
      pair.pairId,
      "default",
      "counter",
    );
    assert.deepEqual(
      history.map((h) => h.version),
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    assert.equal((await check.getSharedState(pair.pairId)).version, 300);
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

Deno.test("ten callers in two processes accept one invite once", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/race.db`;
  try {
    const store = new SqliteTenantStore({ path });
    const tenants = new TenantPair({ store });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    const byCode = await tenants.inviteMember({
      pairId: pair.pairId,
      inviterMemberId: "alice",
    });
    await store.close();

    const results = await Promise.all([
      runWorker([path, "accept", "token", pair.inviteToken, "5", "a"]),
      runWorker([path, "accept", "token", pair.inviteToken, "5", "b"]),
    ].map(workerResult));
    const outcomes = results.flatMap((r) => r.outcomes as string[]);
    assert.equal(outcomes.filter((o) => o === "joined").length, 1);
    assert.equal(
      outcomes.filter((o) => o === "INVITE_ALREADY_ACCEPTED").length,
      9,
    );

    const codeResults = await Promise.all([
      runWorker([path, "accept", "code", byCode.shortCode, "5", "c"]),
      runWorker([path, "accept", "code", byCode.shortCode, "5", "d"]),
    ].map(workerResult));
    const codeOutcomes = codeResults.flatMap((r) => r.outcomes as string[]);
    assert.equal(codeOutcomes.filter((o) => o === "joined").length, 1);
    assert.equal(
      codeOutcomes.filter((o) => o === "INVITE_NOT_FOUND").length,
      9,
    );

    const reopened = new SqliteTenantStore({ path });
    const members = await new TenantPair({ store: reopened }).listMembers(
      pair.pairId,
    );
    assert.equal(members.length, 3);
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

Deno.test("SqliteTenantStore rejects bad options", () => {
  assert.throws(
    () =>
      new SqliteTenantStore({
        synchronous: "OFF; DELETE FROM members" as never,
      }),
    /Invalid synchronous/,
  );
  assert.throws(
    () => new SqliteTenantStore({ busyTimeoutMs: Number.NaN }),
    /busyTimeoutMs/,
  );
  assert.throws(() => new SqliteTenantStore({ path: "" }), /Invalid path/);
});

Deno.test("SqliteTenantStore recovers when a lock blocks its first use", async () => {
  const dir = await tempDir();
  const path = `${dir.path}/locked.db`;
  const raw = new DatabaseSync(path);
  try {
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("BEGIN IMMEDIATE");
    const store = new SqliteTenantStore({ path, busyTimeoutMs: 100 });
    const tenants = new TenantPair({ store });
    await assertCode(
      tenants.createPair({ creatorMemberId: "a" }),
      "STORE_UNAVAILABLE",
    );
    raw.exec("COMMIT");
    const pair = await tenants.createPair({ creatorMemberId: "a" });
    assert.equal((await tenants.getPair(pair.pairId)).memberCount, 1);
    await store.close();
  } finally {
    raw.close();
    await dir.remove();
  }
});

Deno.test("SqliteTenantStore names an unusable file", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir.path}/notes.txt`;
    await Deno.writeTextFile(
      path,
      "shopping list, not a database\n".repeat(200),
    );
    const error = await assertCode(
      (async () => {
        const store = new SqliteTenantStore({ path });
        await store.open();
      })(),
      "STORE_UNAVAILABLE",
      "not a SQLite database",
    );
    assert.ok(error.message.includes(path));
  } finally {
    await dir.remove();
  }
});

Deno.test("SqliteTenantStore finishes writes requested before close()", async () => {
  const store = new SqliteTenantStore();
  const tenants = new TenantPair({ store });
  await tenants.createPair({ creatorMemberId: "alice" });
  const pending = tenants.createPair({ creatorMemberId: "bob" });
  const closing = store.close();
  const pair = await pending;
  await closing;
  assert.match(pair.pairId, /^pair-/);
  await assertCode(tenants.listPairs("bob"), "STORE_UNAVAILABLE");
});
