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
  optionsObject,
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

function invalidOption(field: string, rule: string): TenantPairError {
  return new TenantPairError("INVALID_INPUT", `Invalid ${field}: ${rule}`, {
    details: { field },
  });
}

function positiveInteger(
  value: unknown,
  field: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw invalidOption(
      field,
      `must be a whole number of at least 1; got ${String(value)}`,
    );
  }
  return value as number;
}

function attemptLimits(
  given: Partial<ShortCodeAttemptLimits> | undefined,
): ShortCodeAttemptLimits {
  const options = optionsObject(given, "shortCodeAttempts");
  const limits = { ...DEFAULT_ATTEMPTS };
  for (const name of Object.keys(limits) as (keyof ShortCodeAttemptLimits)[]) {
    limits[name] = positiveInteger(
      options[name],
      `shortCodeAttempts.${name}`,
      DEFAULT_ATTEMPTS[name],
    );
  }
  return limits;
}

function checkFunction(value: unknown, field: string, rule: string): void {
  if (value !== undefined && typeof value !== "function") {
    throw invalidOption(field, rule);
  }
}

function buildContext(options: TenantPairOptions): ServiceContext {
  const given = optionsObject(options);
  if (typeof given.store?.write !== "function") {
    throw invalidOption(
      "store",
      "pass a TenantStore such as new SqliteTenantStore()",
    );
  }
  if (
    given.resolver !== undefined &&
    typeof given.resolver?.resolve !== "function"
  ) {
    throw invalidOption(
      "resolver",
      "must be an object with a resolve(conflicts) method",
    );
  }
  checkFunction(given.now, "now", "must be a function that returns a Date");
  checkFunction(
    given.random,
    "random",
    "must be a function that returns a Uint8Array of the given length",
  );

  const clock = given.now ?? (() => new Date());
  let latestRecorded = Number.NEGATIVE_INFINITY;
  const now = (): number => {
    const time = clock();
    const millis = time instanceof Date ? time.getTime() : Number.NaN;
    if (!(millis >= MIN_CLOCK && millis <= MAX_CLOCK)) {
      throw invalidOption(
        "now",
        "the clock must return a valid Date between the years 0001 and 9999",
      );
    }
    return millis;
  };
  return {
    store: given.store,
    resolver: given.resolver ?? new LWWResolver(),
    now,
    readTime: () => Math.max(now(), latestRecorded),
    noteRecorded: (recordedAt) => {
      latestRecorded = Math.max(latestRecorded, recordedAt);
    },
    random: given.random ?? cryptoRandom,
    maxPendingInvites: positiveInteger(
      given.maxPendingInvites,
      "maxPendingInvites",
      25,
    ),
    inviteTtlSeconds: parseOptional(
      ttlSchema,
      given.inviteTtlSeconds,
      "inviteTtlSeconds",
    ) ?? 604_800,
    maxMembers:
      parseOptional(maxMembersSchema, given.maxMembers, "maxMembers") ?? null,
    maxValueBytes: positiveInteger(
      given.maxValueBytes,
      "maxValueBytes",
      65_536,
    ),
    shortCodeAttempts: attemptLimits(given.shortCodeAttempts),
  };
}

/** Clock readings outside these bounds cannot be written as ISO 8601 times. */
const MIN_CLOCK = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_CLOCK = Date.parse("9999-01-01T00:00:00.000Z");

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
  async createPair(options: CreatePairOptions): Promise<CreatePairResult> {
    return await createPair(this.#ctx, options);
  }

  /**
   * Issues an invite. Any active member may invite.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER` or `TOO_MANY_PENDING_INVITES`.
   */
  async inviteMember(options: InviteMemberOptions): Promise<InviteResult> {
    return await inviteMember(this.#ctx, options);
  }

  /**
   * Lists pending, unexpired invites, never their token or short code.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  async listInvites(
    pairId: string,
    actorMemberId: string,
  ): Promise<InviteRecord[]> {
    return await listInvites(this.#ctx, pairId, actorMemberId);
  }

  /**
   * Revokes a pending invite. Its inviter, an admin or the owner may.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, `FORBIDDEN`, `INVITE_NOT_FOUND`,
   * `INVITE_ALREADY_ACCEPTED` or `INVITE_REVOKED`.
   */
  async revokeInvite(
    pairId: string,
    actorMemberId: string,
    inviteId: string,
  ): Promise<InviteRecord> {
    return await revokeInvite(this.#ctx, pairId, actorMemberId, inviteId);
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
  async acceptInvite(
    options: AcceptInviteOptions,
  ): Promise<AcceptInviteResult> {
    return await acceptInvite(this.#ctx, options);
  }

  /**
   * Loads one pair.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  async getPair(pairId: string): Promise<PairRecord> {
    return await getPair(this.#ctx, pairId);
  }

  /**
   * Lists the pairs where a member is active.
   *
   * @throws {TenantPairError} `INVALID_INPUT`.
   */
  async listPairs(memberId: string): Promise<PairRecord[]> {
    return await listPairs(this.#ctx, memberId);
  }

  /**
   * Lists a pair's active members, or all with `includeLeft`.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  async listMembers(
    pairId: string,
    options?: ListMembersOptions,
  ): Promise<MemberRecord[]> {
    return await listMembers(this.#ctx, pairId, optionsObject(options));
  }

  /**
   * Removes a member. Only the owner may, and never themselves. The member's
   * private preferences are erased and invites they sent are revoked;
   * invites created before the removal cannot readmit them.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, `FORBIDDEN` or `CANNOT_KICK_SELF`.
   */
  async kickMember(
    pairId: string,
    actingMemberId: string,
    targetMemberId: string,
    options?: KickMemberOptions,
  ): Promise<MemberRecord> {
    return await kickMember(
      this.#ctx,
      pairId,
      actingMemberId,
      targetMemberId,
      optionsObject(options),
    );
  }

  /**
   * Leaves a pair. Private preferences are erased; shared writes stay. When
   * the owner leaves, the longest-standing active member becomes owner.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  async leavePair(pairId: string, memberId: string): Promise<MemberRecord> {
    return await leavePair(this.#ctx, pairId, memberId);
  }

  /**
   * Hands ownership to another active member; the old owner becomes a member.
   *
   * @returns The active members afterwards.
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER` or `FORBIDDEN`.
   */
  async transferOwnership(
    pairId: string,
    ownerMemberId: string,
    newOwnerMemberId: string,
  ): Promise<MemberRecord[]> {
    return await transferOwnership(
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
  async setMemberPreference(
    pairId: string,
    memberId: string,
    key: string,
    value: JsonValue,
    options?: SetPreferenceOptions,
  ): Promise<SetPreferenceResult> {
    return await setMemberPreference(this.#ctx, {
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
  async getMemberConstraints(
    pairId: string,
    memberId: string,
    options?: MemberConstraintsOptions,
  ): Promise<Record<string, JsonValue>> {
    return await getMemberConstraints(
      this.#ctx,
      pairId,
      memberId,
      optionsObject(options),
    );
  }

  /**
   * Merges the preferences every active member shared with the pair, per
   * key and without saying whose: arrays as their union, differing other
   * values as an array of the distinct values, sorted.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  async getPairConstraints(
    pairId: string,
    actorMemberId: string,
    options?: PairConstraintsOptions,
  ): Promise<Record<string, JsonValue>> {
    return await getPairConstraints(
      this.#ctx,
      pairId,
      actorMemberId,
      optionsObject(options),
    );
  }

  /**
   * Lists every version of a member's private preference.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  async getMemberPreferenceHistory(
    pairId: string,
    memberId: string,
    key: string,
  ): Promise<PreferenceHistoryEntry[]> {
    return await getMemberPreferenceHistory(this.#ctx, pairId, memberId, key);
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
  async setSharedState(
    pairId: string,
    memberId: string,
    key: string,
    value: JsonValue,
    options?: SetSharedStateOptions | string,
  ): Promise<SetSharedStateResult> {
    return await setSharedState(this.#ctx, {
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
  async deleteSharedState(
    pairId: string,
    memberId: string,
    key: string,
    options?: DeleteSharedStateOptions | string,
  ): Promise<DeleteSharedStateResult> {
    return await deleteSharedState(this.#ctx, {
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
  async getSharedState(
    pairId: string,
    options?: GetSharedStateOptions | string,
  ): Promise<SharedStateSnapshot> {
    return await getSharedState(this.#ctx, pairId, namespaceOptions(options));
  }

  /**
   * Lists every version and conflict candidate of a shared key, with both
   * time axes and the author.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  async getPairStateHistory(
    pairId: string,
    namespace: string,
    key: string,
  ): Promise<StateHistoryEntry[]> {
    return await getPairStateHistory(this.#ctx, pairId, namespace, key);
  }

  /**
   * Lists keys with pending conflict candidates. A string in place of the
   * options names the namespace.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  async listConflicts(
    pairId: string,
    options?: ListConflictsOptions | string,
  ): Promise<Conflict[]> {
    return await listConflicts(this.#ctx, pairId, namespaceOptions(options));
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
  async resolveConflicts(
    pairId: string,
    options?: ResolveConflictsOptions | string,
  ): Promise<ResolveConflictsResult> {
    return await resolveConflicts(this.#ctx, pairId, namespaceOptions(options));
  }

  /**
   * Erases a member (GDPR Art. 17) and scrubs the bytes from disk.
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND`,
   * `NOT_A_MEMBER`, or `STORE_UNAVAILABLE` when another connection kept the
   * disk from being scrubbed (the rows are deleted; call again).
   */
  async forgetMember(
    pairId: string,
    memberId: string,
    options?: ForgetMemberOptions,
  ): Promise<ForgetReport> {
    return await forgetMember(
      this.#ctx,
      pairId,
      memberId,
      optionsObject(options),
    );
  }

  /**
   * Returns every stored fact about a member of a pair as JSON (GDPR Art. 15
   * and 20).
   *
   * @throws {TenantPairError} `INVALID_INPUT`, `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
   */
  async exportMemberData(
    pairId: string,
    memberId: string,
  ): Promise<MemberExport> {
    return await exportMemberData(this.#ctx, pairId, memberId);
  }

  /**
   * Lists audit events oldest first, after the `after` cursor.
   *
   * @throws {TenantPairError} `INVALID_INPUT` or `PAIR_NOT_FOUND`.
   */
  async listEvents(
    pairId: string,
    options?: ListEventsOptions,
  ): Promise<EventRecord[]> {
    const id = parseField(idSchema, pairId, "pairId");
    const given = optionsObject(options);
    const after = parseOptional(afterSchema, given.after, "after") ?? 0;
    const limit = parseOptional(limitSchema, given.limit, "limit") ?? 100;
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
