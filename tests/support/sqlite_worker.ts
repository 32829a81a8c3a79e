/**
 * A child process for the multi-process SQLite tests. Arguments: the
 * database path, then `write PAIR MEMBER KEY COUNT` or
 * `accept TOKEN|CODE VALUE CALLERS PREFIX`. Prints one JSON line of results.
 */
import { SqliteTenantStore, TenantPair, TenantPairError } from "../../mod.ts";

const [path, mode, ...rest] = Deno.args;
const store = new SqliteTenantStore({
  path: path as string,
  busyTimeoutMs: 30_000,
});
const tenants = new TenantPair({ store });

async function write(
  pairId: string,
  memberId: string,
  key: string,
  count: number,
) {
  const versions: number[] = [];
  const errors: string[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const result = await tenants.setSharedState(pairId, memberId, key, { i });
      versions.push(result.version);
    } catch (error) {
      errors.push(String(error));
    }
  }
  return { versions, errors };
}

async function accept(
  kind: string,
  secret: string,
  callers: number,
  prefix: string,
) {
  const outcomes = await Promise.all(
    Array.from({ length: callers }, async (_, i) => {
      try {
        await tenants.acceptInvite(
          kind === "token"
            ? { inviteToken: secret, memberId: `${prefix}-${i}` }
            : { shortCode: secret, memberId: `${prefix}-${i}` },
        );
        return "joined";
      } catch (error) {
        return error instanceof TenantPairError ? error.code : String(error);
      }
    }),
  );
  return { outcomes };
}

const result = mode === "write"
  ? await write(
    rest[0] as string,
    rest[1] as string,
    rest[2] as string,
    Number(rest[3]),
  )
  : await accept(
    rest[0] as string,
    rest[1] as string,
    Number(rest[2]),
    rest[3] as string,
  );
await store.close();
// deno-lint-ignore no-console
console.log(JSON.stringify(result));
