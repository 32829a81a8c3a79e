import type { ServiceContext } from "./context.ts";
import { TenantPairError } from "./errors.ts";
import { exportMemberData, forgetMember } from "./erasure.ts";
import { cryptoRandom, type RandomSource } from "./invites.ts";
import { LWWResolver } from "./resolvers/lww.ts";
import type { ConflictResolver } from "./resolvers/resolver.ts";
import {
  afterSchema,
  idSchema,
  limitSchema,
  maxMembersSchema,
  parseField,
  parseOptional,
  ttlSchema,
} from "./schemas.ts";
import { listConflicts, resolveConflicts } from "./service_conflicts.ts";
import {
  acceptInvite,
  createPair,
  inviteMember,
  listInvites,
  revokeInvite,
} from "./service_invites.ts";
import {
  getPair,
  kickMember,
  leavePair,
  listMembers,
  listPairs,
  transferOwnership,
} from "./service_members.ts";
import {
  deleteSharedState,
  getMemberConstraints,
  getMemberPreferenceHistory,
  getPairConstraints,
  getPairStateHistory,
  getSharedState,
  namespaceOptions,
  setMemberPreference,
  setSharedState,
} from "./service_state.ts";
import { toEventRecord } from "./records.ts";
import { requirePair } from "./membership.ts";
import type { TenantStore } from "./stores/store.ts";
import type {
  AcceptInviteOptions,
  AcceptInviteResult,
  Conflict,
  CreatePairOptions,
  CreatePairResult,
  DeleteSharedStateOptions,
  DeleteSharedStateResult,
  EventRecord,
  ForgetMemberOptions,
  ForgetReport,
  GetSharedStateOptions,
  InviteMemberOptions,
  InviteRecord,
  InviteResult,
  JsonValue,
  KickMemberOptions,
  ListConflictsOptions,
  ListEventsOptions,
  ListMembersOptions,
  MemberConstraintsOptions,
  MemberExport,
  MemberRecord,
  PairConstraintsOptions,
  PairRecord,
  PreferenceHistoryEntry,
  ResolveConflictsOptions,
  ResolveConflictsResult,
  SetPreferenceOptions,
  SetPreferenceResult,
  SetSharedStateOptions,
  SetSharedStateResult,
  SharedStateSnapshot,
  ShortCodeAttemptLimits,
  StateChangeListener,
  StateHistoryEntry,
  Unsubscribe,
} from "./types.ts";

/** Options for {@linkcode TenantPair}. */
export interface TenantPairOptions {
  /** The storage back end for pairs, members and state. */
  store: TenantStore;
  /**
   * Picks winners in {@linkcode TenantPair.resolveConflicts}.
   * @default {new LWWResolver()}
   */
  resolver?: ConflictResolver;
  /**
   * The clock; inject one for deterministic tests.
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * Source of random bytes for ids, tokens and short codes.
   * @default {the platform CSPRNG}
   */
  random?: RandomSource;
  /**
   * Pending invites a pair may have at once.
   * @default {25}
   */
  maxPendingInvites?: number;
  /**
   * Invite lifetime in seconds when a call gives none.
   * @default {604800}
   */
  inviteTtlSeconds?: number;
  /**
   * Cap on active members for new pairs; `undefined` means no cap.
   * @default {undefined}
   */
  maxMembers?: number;
  /**
   * Largest value, in UTF-8 bytes of its JSON text.
   * @default {65536}
   */
  maxValueBytes?: number;
  /**
   * Limits on wrong short codes; unset fields keep their defaults.
   * @default {{ perMember: 5, perMemberWindowSeconds: 900, storeWide: 100, storeWideWindowSeconds: 3600 }}
   */
  shortCodeAttempts?: Partial<ShortCodeAttemptLimits>;
}

const DEFAULT_ATTEMPTS: ShortCodeAttemptLimits = {
  perMember: 5,
  perMemberWindowSeconds: 900,
  storeWide: 100,
  storeWideWindowSeconds: 3600,
};

function positiveInteger(
  value: unknown,
  field: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new TenantPairError(
      "INVALID_INPUT",
      `Invalid ${field}: must be a whole number of at least 1; got ${
        String(value)
      }`,
      { details: { field } },
    );
  }
  return value as number;
}

function buildContext(options: TenantPairOptions): ServiceContext {
  if (typeof options?.store?.write !== "function") {
    throw new TenantPairError(
      "INVALID_INPUT",
      "Invalid store: pass a TenantStore such as new SqliteTenantStore()",
      { details: { field: "store" } },
    );
  }
  const clock = options.now ?? (() => new Date());
  const attempts = { ...DEFAULT_ATTEMPTS, ...options.shortCodeAttempts };
  for (const [name, value] of Object.entries(attempts)) {
    positiveInteger(value, `shortCodeAttempts.${name}`, 1);
  }
  return {
    store: options.store,
    resolver: options.resolver ?? new LWWResolver(),
    now: () => {
      const time = clock().getTime();
      if (Number.isNaN(time)) {
        throw new TenantPairError(
          "INVALID_INPUT",
          "Invalid now: the clock returned an invalid Date",
          { details: { field: "now" } },
        );
      }
      return time;
    },
    random: options.random ?? cryptoRandom,
    maxPendingInvites: positiveInteger(
      options.maxPendingInvites,
      "maxPendingInvites",
      25,
    ),
    inviteTtlSeconds: parseOptional(
      ttlSchema,
      options.inviteTtlSeconds,
      "inviteTtlSeconds",
    ) ?? 604_800,
    maxMembers:
      parseOptional(maxMembersSchema, options.maxMembers, "maxMembers") ??
        null,
    maxValueBytes: positiveInteger(
      options.maxValueBytes,
      "maxValueBytes",
      65_536,
    ),
    shortCodeAttempts: attempts,
  };
}

/**
 * Multi-user tenancy for MCP servers that two or more people share: pairs,
 * invites, private preferences, bi-temporal shared state, conflicts, audit
 * events, erasure and export.
 *
 * The library trusts its caller to name the acting member; a server that
 * can identify its caller must pass that caller's id. Every method
 * checks its input and raises `INVALID_INPUT` before touching the store.
 *
 * @example Create a pair and let a partner join by short code
 * ```ts
 * import { SqliteTenantStore, TenantPair } from "../mod.ts";
 *
 * const tenants = new TenantPair({ store: new SqliteTenantStore() });
 * const pair = await tenants.createPair({ creatorMemberId: "alice" });
 * await tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "bob" });
 * await tenants.setSharedState(pair.pairId, "bob", "dinner", "pasta");
 * const { state } = await tenants.getSharedState(pair.pairId);
 * console.log(state.dinner); // "pasta"
 * ```
 */
export class TenantPair {
  #ctx: ServiceContext;

  /**
   * Creates the service over a store.
   *
   * @throws {TenantPairError} `INVALID_INPUT` for an invalid option.
   */
  constructor(options: TenantPairOptions) {
    this.#ctx = buildContext(options);
  }

  /** The store this service uses. */
  get store(): TenantStore {
    return this.#ctx.store;
  }

  /**
   * Creates a pair; the creator becomes its owner and gets a first invite.
   *
   * @returns The pair id and the first invite's token, short code and expiry.
   * @throws {TenantPairError} `INVALID_INPUT`.
   */
  createPair(options: CreatePairOptions): Promise<CreatePairResult> {
    return createPair(this.#ctx, options);
  }

  /**
   * Issues an invite. Any active member may invite.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER` or `TOO_MANY_PENDING_INVITES`.
   */
  inviteMember(options: InviteMemberOptions): Promise<InviteResult> {
    return inviteMember(this.#ctx, options);
  }

  /**
   * Lists pending, unexpired invites, never their token or short code.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  listInvites(pairId: string, actorMemberId: string): Promise<InviteRecord[]> {
    return listInvites(this.#ctx, pairId, actorMemberId);
  }

  /**
   * Revokes a pending invite. Its inviter, an admin or the owner may.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, `FORBIDDEN`, `INVITE_NOT_FOUND`,
   * `INVITE_ALREADY_ACCEPTED` or `INVITE_REVOKED`.
   */
  revokeInvite(
    pairId: string,
    actorMemberId: string,
    inviteId: string,
  ): Promise<InviteRecord> {
    return revokeInvite(this.#ctx, pairId, actorMemberId, inviteId);
  }

  /**
   * Joins a pair with an invite token or a short code. A short code is
   * accepted in any case, with or without the dash, with O read as 0 and
   * I or L read as 1. Wrong short codes are counted and rate limited.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `INVITE_NOT_FOUND`,
   * `INVITE_EXPIRED`, `INVITE_ALREADY_ACCEPTED`, `INVITE_REVOKED`,
   * `ALREADY_MEMBER`, `FORBIDDEN`, `PAIR_FULL` or `RATE_LIMITED`.
   */
  acceptInvite(options: AcceptInviteOptions): Promise<AcceptInviteResult> {
    return acceptInvite(this.#ctx, options);
  }

  /**
   * Loads one pair.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  getPair(pairId: string): Promise<PairRecord> {
    return getPair(this.#ctx, pairId);
  }

  /**
   * Lists the pairs where a member is active.
   *
   * @throws {TenantPairError} `INVALID_INPUT`.
   */
  listPairs(memberId: string): Promise<PairRecord[]> {
    return listPairs(this.#ctx, memberId);
  }

  /**
   * Lists a pair's active members, or all with `includeLeft`.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  listMembers(
    pairId: string,
    options?: ListMembersOptions,
  ): Promise<MemberRecord[]> {
    return listMembers(this.#ctx, pairId, options);
  }

  /**
   * Removes a member. Only the owner may, and never themselves. The member's
   * private preferences are erased and invites they sent are revoked;
   * invites created before the removal cannot readmit them.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, `FORBIDDEN` or `CANNOT_KICK_SELF`.
   */
  kickMember(
    pairId: string,
    actingMemberId: string,
    targetMemberId: string,
    options?: KickMemberOptions,
  ): Promise<MemberRecord> {
    return kickMember(
      this.#ctx,
      pairId,
      actingMemberId,
      targetMemberId,
      options,
    );
  }

  /**
   * Leaves a pair. Private preferences are erased; shared writes stay. When
   * the owner leaves, the longest-standing active member becomes owner.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  leavePair(pairId: string, memberId: string): Promise<MemberRecord> {
    return leavePair(this.#ctx, pairId, memberId);
  }

  /**
   * Hands ownership to another active member; the old owner becomes a member.
   *
   * @returns The active members afterwards.
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER` or `FORBIDDEN`.
   */
  transferOwnership(
    pairId: string,
    ownerMemberId: string,
    newOwnerMemberId: string,
  ): Promise<MemberRecord[]> {
    return transferOwnership(
      this.#ctx,
      pairId,
      ownerMemberId,
      newOwnerMemberId,
    );
  }

  /**
   * Writes a new version of one of a member's private preferences.
   * With `validFrom` in the past the write corrects history.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  setMemberPreference(
    pairId: string,
    memberId: string,
    key: string,
    value: JsonValue,
    options?: SetPreferenceOptions,
  ): Promise<SetPreferenceResult> {
    return setMemberPreference(this.#ctx, {
      pairId,
      memberId,
      key,
      value,
      options,
    });
  }

  /**
   * Reads one member's private preferences, optionally as of a valid time
   * and a knowledge time. Never returns another member's values.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  getMemberConstraints(
    pairId: string,
    memberId: string,
    options?: MemberConstraintsOptions,
  ): Promise<Record<string, JsonValue>> {
    return getMemberConstraints(this.#ctx, pairId, memberId, options);
  }

  /**
   * Merges the preferences every active member shared with the pair, per
   * key and without saying whose: arrays as their union, differing other
   * values as an array of the distinct values, sorted.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  getPairConstraints(
    pairId: string,
    actorMemberId: string,
    options?: PairConstraintsOptions,
  ): Promise<Record<string, JsonValue>> {
    return getPairConstraints(this.#ctx, pairId, actorMemberId, options);
  }

  /**
   * Lists every version of a member's private preference.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  getMemberPreferenceHistory(
    pairId: string,
    memberId: string,
    key: string,
  ): Promise<PreferenceHistoryEntry[]> {
    return getMemberPreferenceHistory(this.#ctx, pairId, memberId, key);
  }

  /**
   * Writes a shared value as the key's next version. With a stale
   * `expectedVersion` nothing is overwritten: the write is kept as a pending
   * conflict candidate and the result has `conflict: true`. A string in place
   * of the options names the namespace.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, or `VERSION_CONFLICT` when `expectedVersion` is ahead of
   * the key.
   */
  setSharedState(
    pairId: string,
    memberId: string,
    key: string,
    value: JsonValue,
    options?: SetSharedStateOptions | string,
  ): Promise<SetSharedStateResult> {
    return setSharedState(this.#ctx, {
      pairId,
      memberId,
      key,
      value,
      options: namespaceOptions(options),
    });
  }

  /**
   * Deletes a shared key by writing a tombstone version; history keeps the
   * earlier versions. A string in place of the options names the namespace.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER` or `VERSION_CONFLICT` when `expectedVersion` is not the
   * key's version.
   */
  deleteSharedState(
    pairId: string,
    memberId: string,
    key: string,
    options?: DeleteSharedStateOptions | string,
  ): Promise<DeleteSharedStateResult> {
    return deleteSharedState(this.#ctx, {
      pairId,
      memberId,
      key,
      options: namespaceOptions(options),
    });
  }

  /**
   * Reads a namespace of shared state with its revision and the number of
   * keys in conflict. A string in place of the options names the namespace.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  getSharedState(
    pairId: string,
    options?: GetSharedStateOptions | string,
  ): Promise<SharedStateSnapshot> {
    return getSharedState(this.#ctx, pairId, namespaceOptions(options));
  }

  /**
   * Lists every version and conflict candidate of a shared key, with both
   * time axes and the author.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  getPairStateHistory(
    pairId: string,
    namespace: string,
    key: string,
  ): Promise<StateHistoryEntry[]> {
    return getPairStateHistory(this.#ctx, pairId, namespace, key);
  }

  /**
   * Lists keys with pending conflict candidates. A string in place of the
   * options names the namespace.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  listConflicts(
    pairId: string,
    options?: ListConflictsOptions | string,
  ): Promise<Conflict[]> {
    return listConflicts(this.#ctx, pairId, namespaceOptions(options));
  }

  /**
   * Resolves pending conflicts with a resolver. Each winner becomes the key's
   * next version; the other candidates are marked lost. A resolver that
   * throws changes nothing. A string in place of the options names the
   * namespace.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or
   * `CONFLICT_NOT_FOUND` when the resolver names an unknown candidate.
   */
  resolveConflicts(
    pairId: string,
    options?: ResolveConflictsOptions | string,
  ): Promise<ResolveConflictsResult> {
    return resolveConflicts(this.#ctx, pairId, namespaceOptions(options));
  }

  /**
   * Erases a member (GDPR Art. 17) and scrubs the bytes from disk.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, or `STORE_UNAVAILABLE` when another connection kept the
   * disk from being scrubbed (the rows are deleted; call again).
   */
  forgetMember(
    pairId: string,
    memberId: string,
    options?: ForgetMemberOptions,
  ): Promise<ForgetReport> {
    return forgetMember(this.#ctx, pairId, memberId, options);
  }

  /**
   * Returns every stored fact about a member of a pair as JSON (GDPR Art. 15
   * and 20).
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  exportMemberData(pairId: string, memberId: string): Promise<MemberExport> {
    return exportMemberData(this.#ctx, pairId, memberId);
  }

  /**
   * Lists audit events oldest first, after the `after` cursor.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  async listEvents(
    pairId: string,
    options: ListEventsOptions = {},
  ): Promise<EventRecord[]> {
    const id = parseField(idSchema, pairId, "pairId");
    const after = parseOptional(afterSchema, options.after, "after") ?? 0;
    const limit = parseOptional(limitSchema, options.limit, "limit") ?? 100;
    return await this.#ctx.store.read(async (tx) => {
      await requirePair(tx, id);
      return (await tx.listEvents(id, after, limit)).map(toEventRecord);
    });
  }

  /**
   * Calls `listener` once for every committed shared-state change of the
   * pair, including changes made by other processes where the store can
   * tell. Private preference writes are never announced.
   *
   * @returns A promise, resolved once listening, of the unsubscribe function.
   * @throws {TenantPairError} `INVALID_INPUT`.
   */
  async subscribe(
    pairId: string,
    listener: StateChangeListener,
  ): Promise<Unsubscribe> {
    const id = parseField(idSchema, pairId, "pairId");
    if (typeof listener !== "function") {
      throw new TenantPairError(
        "INVALID_INPUT",
        "Invalid listener: must be a function",
        { details: { field: "listener" } },
      );
    }
    await this.#ctx.store.open();
    return await this.#ctx.store.subscribe(id, listener);
  }
}
