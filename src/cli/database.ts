import { existsSync } from "node:fs";
import {
  describeTarget,
  type Environment,
  openStore,
  resolveDatabase,
} from "../config.ts";
import type { TenantStore } from "../stores/store.ts";
import { TenantPair } from "../tenant_pair.ts";

/**
 * Opens the database the same way the MCP server does, on first use, and
 * closes it when the command is done.
 */
export class DatabaseSession {
  #env: Environment;
  #flag: string | undefined;
  #warn: (message: string) => void;
  #store: TenantStore | undefined;
  #tenants: TenantPair | undefined;

  /** Prepares to open the database named by `flag` or the environment. */
  constructor(
    env: Environment,
    flag: string | undefined,
    warn: (message: string) => void,
  ) {
    this.#env = env;
    this.#flag = flag;
    this.#warn = warn;
  }

  /**
   * Opens the store and runs migrations on first call. A SQLite file that
   * did not exist yet is created, and a line on stderr names its path, so
   * data written to the default location is easy to find.
   *
   * @throws {TenantPairError} `STORE_UNAVAILABLE` or `SCHEMA_TOO_NEW`.
   */
  async tenants(): Promise<TenantPair> {
    if (this.#tenants !== undefined) return this.#tenants;
    const target = resolveDatabase(this.#env, this.#flag);
    const created = target.engine === "sqlite" &&
      target.path !== ":memory:" && !existsSync(target.path);
    if (this.#env.TENANT_PAIR_LOG_LEVEL === "debug") {
      this.#warn(`opening ${describeTarget(target)}`);
    }

    this.#store = await openStore(target);
    if (created) {
      this.#warn(
        `created a new database at ${
          JSON.stringify(target.path)
        }; choose another with --db or TENANT_PAIR_DB`,
      );
    }
    this.#tenants = new TenantPair({ store: this.#store });
    return this.#tenants;
  }

  /** Closes the store if it was opened. */
  async close(): Promise<void> {
    await this.#store?.close();
  }
}
