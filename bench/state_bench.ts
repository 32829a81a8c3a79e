import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openBenchStore } from "./_bench_store.ts";

const { tenants, dir } = await openBenchStore();
const OWNER = "owner";
const { pairId } = await tenants.createPair({ creatorMemberId: OWNER });

// A second pair whose 50 keys are read whole, and a key with 1,000 versions.
const { pairId: readPair } = await tenants.createPair({
  creatorMemberId: OWNER,
});
for (let k = 0; k < 50; k++) {
  await tenants.setSharedState(readPair, OWNER, `key-${k}`, { k });
}
for (let v = 0; v < 1000; v++) {
  await tenants.setSharedState(readPair, OWNER, "history", { v });
}

// The physical reference: one prepared INSERT per transaction, same pragmas.
const raw = new DatabaseSync(join(dir, "raw.db"));
raw.exec(
  "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON",
);
raw.exec(
  "CREATE TABLE raw (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL, at INTEGER NOT NULL)",
);
const insert = raw.prepare("INSERT INTO raw (key, value, at) VALUES (?, ?, ?)");
globalThis.addEventListener("unload", () => raw.close());

let i = 0;

Deno.bench("raw INSERT, one transaction each", {
  group: "write",
  baseline: true,
}, () => {
  i++;
  insert.run(`key-${i}`, `value-${i}`, i);
});

Deno.bench("setSharedState, 10 keys in turn", { group: "write" }, async () => {
  i++;
  await tenants.setSharedState(pairId, OWNER, `key-${i % 10}`, {
    n: i,
    text: `value-${i}`,
  });
});

Deno.bench("getSharedState, 50 keys", { group: "read" }, async () => {
  await tenants.getSharedState(readPair);
});

Deno.bench(
  "getPairStateHistory, 1,000 versions",
  { group: "read" },
  async () => {
    await tenants.getPairStateHistory(readPair, "default", "history");
  },
);
