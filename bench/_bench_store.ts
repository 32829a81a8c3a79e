import { join } from "node:path";
import { SqliteTenantStore, TenantPair } from "../mod.ts";

/** A `TenantPair` on a file in a temporary folder, for `deno bench` files. */
export interface BenchStore {
  tenants: TenantPair;
  /** The folder that contains the database file. */
  dir: string;
}

/**
 * Opens a `TenantPair` on a new SQLite file (WAL, default settings) in a new
 * temporary folder. The folder is removed when the bench module unloads.
 */
export async function openBenchStore(): Promise<BenchStore> {
  const dir = Deno.makeTempDirSync({ prefix: "tenant-pair-bench-" });
  const store = new SqliteTenantStore({ path: join(dir, "bench.db") });
  await store.open();
  globalThis.addEventListener("unload", () => {
    Deno.removeSync(dir, { recursive: true });
  });
  return { tenants: new TenantPair({ store }), dir };
}
