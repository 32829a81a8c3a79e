import { PostgresTenantStore, SqliteTenantStore } from "../../mod.ts";
import type { TenantStore } from "../../mod.ts";
import { createTestSchema, POSTGRES_IGNORE } from "./postgres.ts";

/** A store under test, with the way to make a fresh, empty one. */
export interface StoreFactory {
  /** Shown in test names. */
  name: string;
  /** Set when the store cannot run here; the tests then show as ignored. */
  ignore: boolean;
  /** Creates an empty store and a function that removes it afterwards. */
  create(): Promise<{ store: TenantStore; cleanup(): Promise<void> }>;
}

/** Makes a temporary folder that the returned function removes. */
export async function tempDir(): Promise<
  { path: string; remove(): Promise<void> }
> {
  const path = await Deno.makeTempDir({ prefix: "tenant-pair-test-" });
  return {
    path,
    remove: () => Deno.remove(path, { recursive: true }),
  };
}

/** Every store the conformance suite runs on. */
export const STORE_FACTORIES: StoreFactory[] = [
  {
    name: "sqlite :memory:",
    ignore: false,
    create() {
      const store = new SqliteTenantStore({ path: ":memory:" });
      return Promise.resolve({ store, cleanup: () => store.close() });
    },
  },
  {
    name: "sqlite file",
    ignore: false,
    async create() {
      const dir = await tempDir();
      const store = new SqliteTenantStore({ path: `${dir.path}/test.db` });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await dir.remove();
        },
      };
    },
  },
  {
    name: "postgres",
    ignore: POSTGRES_IGNORE,
    async create() {
      const { url, schema, drop } = await createTestSchema();
      const store = new PostgresTenantStore({ url }, { schema });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await drop();
        },
      };
    },
  },
];
