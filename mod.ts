/**
 * Multi-user tenancy for MCP servers that couples, families and small groups
 * share: pairs, invites by link or by a code read aloud, private per-member
 * preferences, shared state with full bi-temporal history, honest conflict
 * handling, audit events, and GDPR erasure and export.
 *
 * The embedded {@linkcode SqliteTenantStore} needs nothing installed; the
 * {@linkcode PostgresTenantStore} serves many processes and machines.
 *
 * @example Two people plan dinner
 * ```ts
 * import { SqliteTenantStore, TenantPair } from "@studiomeyer/tenant-pair";
 *
 * const tenants = new TenantPair({ store: new SqliteTenantStore() });
 * const pair = await tenants.createPair({ creatorMemberId: "alice" });
 * await tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "bob" });
 *
 * await tenants.setMemberPreference(pair.pairId, "bob", "allergies", ["peanuts"], {
 *   shareWithPair: true,
 * });
 * await tenants.setSharedState(pair.pairId, "alice", "dinner", "risotto");
 *
 * console.log(await tenants.getPairConstraints(pair.pairId, "alice"));
 * console.log((await tenants.getSharedState(pair.pairId)).state);
 * ```
 *
 * @module
 */

export { TenantPair } from "./src/tenant_pair.ts";
export type { TenantPairOptions } from "./src/tenant_pair.ts";
export { ERROR_CODES, TenantPairError } from "./src/errors.ts";
export type { ErrorCode, TenantPairErrorOptions } from "./src/errors.ts";
export { SqliteTenantStore } from "./src/stores/sqlite.ts";
export type { SqliteTenantStoreOptions } from "./src/stores/sqlite.ts";
export { PostgresTenantStore } from "./src/stores/postgres.ts";
export type {
  PostgresConnection,
  PostgresTenantStoreOptions,
} from "./src/stores/postgres.ts";
export { LWWResolver } from "./src/resolvers/lww.ts";
export { ManualResolver } from "./src/resolvers/manual.ts";
export type { ConflictResolver } from "./src/resolvers/resolver.ts";
export { OPEN_END } from "./src/stores/store.ts";
export type {
  Awaitable,
  CandidateRow,
  EventRow,
  HeadRow,
  InviteRow,
  MemberRow,
  PairRow,
  ScrubResult,
  StateScope,
  StateSpace,
  StoreTransaction,
  TenantStore,
  VersionRow,
} from "./src/stores/store.ts";
export type { RandomSource } from "./src/invites.ts";
export type * from "./src/types.ts";
