import type { ServiceContext } from "./context.ts";
import { quote, TenantPairError } from "./errors.ts";
import {
  attemptKey,
  createId,
  createShortCode,
  createToken,
  hashSecret,
  normalizeShortCode,
} from "./invites.ts";
import { requireActiveMember, requirePair } from "./membership.ts";
import { addEvent, toInviteRecord, toMemberRecord } from "./records.ts";
import {
  hintSchema,
  idSchema,
  maxMembersSchema,
  nameSchema,
  optionsObject,
  parseField,
  parseOptional,
  shortCodeSchema,
  toIso,
  tokenSchema,
  ttlSchema,
} from "./schemas.ts";
import type { InviteRow, MemberRow, StoreTransaction } from "./stores/store.ts";
import type {
  AcceptInviteOptions,
  AcceptInviteResult,
  CreatePairOptions,
  CreatePairResult,
  InviteMemberOptions,
  InviteRecord,
  InviteResult,
} from "./types.ts";

const CODE_TRIES = 10;

/** Issues an invite inside a write transaction. */
async function issueInvite(
  ctx: ServiceContext,
  tx: StoreTransaction,
  input: {
    pairId: string;
    inviterMemberId: string;
    inviteeHint: string | null;
    ttlSeconds: number;
    now: number;
  },
): Promise<InviteResult> {
  const pending = await tx.listPendingInvites(input.pairId, input.now);
  if (pending.length >= ctx.maxPendingInvites) {
    throw new TenantPairError(
      "TOO_MANY_PENDING_INVITES",
      `Cannot invite into pair ${
        quote(input.pairId)
      }: it has ${pending.length} pending invites, the limit is ${ctx.maxPendingInvites}; revoke unused ones first`,
      { details: { pairId: input.pairId, limit: ctx.maxPendingInvites } },
    );
  }

  let shortCode = createShortCode(ctx.random);
  let codeHash = hashSecret(shortCode.replace("-", ""));
  // A short code must be unique among pending invites, expired or not, so
  // that a code read aloud finds exactly one invite.
  for (let tries = 1;; tries++) {
    const clash = await tx.findPendingInviteByCodeHash(
      codeHash,
      Number.MIN_SAFE_INTEGER,
    );
    if (clash === undefined) break;
    if (tries >= CODE_TRIES) {
      throw new TenantPairError(
        "STORE_UNAVAILABLE",
        `Cannot create a unique short code after ${CODE_TRIES} tries; check that the random source is not repeating`,
      );
    }
    shortCode = createShortCode(ctx.random);
    codeHash = hashSecret(shortCode.replace("-", ""));
  }

  const inviteToken = createToken(ctx.random);
  const row: InviteRow = {
    pairId: input.pairId,
    inviteId: createId("inv", ctx.random),
    tokenHash: hashSecret(inviteToken),
    codeHash,
    inviterMemberId: input.inviterMemberId,
    inviteeHint: input.inviteeHint,
    createdAt: input.now,
    expiresAt: input.now + input.ttlSeconds * 1000,
    status: "pending",
    acceptedBy: null,
    acceptedAt: null,
    revokedAt: null,
  };
  await tx.insertInvite(row);
  await addEvent(tx, {
    pairId: input.pairId,
    type: "invite.created",
    actor: input.inviterMemberId,
    subject: null,
    at: input.now,
    data: { inviteId: row.inviteId },
  });
  return {
    inviteId: row.inviteId,
    inviteToken,
    shortCode,
    expiresAt: toIso(row.expiresAt),
  };
}

/** Creates a pair with its creator as owner and issues its first invite. */
export async function createPair(
  ctx: ServiceContext,
  options: CreatePairOptions,
): Promise<CreatePairResult> {
  const input = optionsObject<Record<string, unknown>>(
    options as unknown as Record<string, unknown>,
  );
  const creator = parseField(
    idSchema,
    input.creatorMemberId,
    "creatorMemberId",
  );
  const displayName = parseOptional(
    nameSchema,
    input.displayName,
    "displayName",
  );
  const pairName = parseOptional(nameSchema, input.pairName, "pairName");
  const maxMembers = parseOptional(
    maxMembersSchema,
    input.maxMembers,
    "maxMembers",
  );
  const pairId = createId("pair", ctx.random);
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    await tx.insertPair({
      pairId,
      pairName: pairName ?? null,
      maxMembers: maxMembers ?? ctx.maxMembers,
      createdAt: now,
      createdBy: creator,
    });
    await tx.putMember({
      pairId,
      memberId: creator,
      role: "owner",
      displayName: displayName ?? null,
      joinedAt: now,
      leftAt: null,
      leftReason: null,
      removedAt: null,
      forgottenAt: null,
    });
    await addEvent(tx, {
      pairId,
      type: "pair.created",
      actor: creator,
      subject: creator,
      at: now,
    });
    const invite = await issueInvite(ctx, tx, {
      pairId,
      inviterMemberId: creator,
      inviteeHint: null,
      ttlSeconds: ctx.inviteTtlSeconds,
      now,
    });
    return { pairId, ...invite };
  });
}

/** Issues an invite from an active member. */
export async function inviteMember(
  ctx: ServiceContext,
  options: InviteMemberOptions,
): Promise<InviteResult> {
  const input = optionsObject<Record<string, unknown>>(
    options as unknown as Record<string, unknown>,
  );
  const pairId = parseField(idSchema, input.pairId, "pairId");
  const inviter = parseField(
    idSchema,
    input.inviterMemberId,
    "inviterMemberId",
  );
  const hint = parseOptional(hintSchema, input.inviteeHint, "inviteeHint");
  const ttl = parseOptional(ttlSchema, input.ttlSeconds, "ttlSeconds");
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    await requireActiveMember(tx, pairId, inviter);
    return await issueInvite(ctx, tx, {
      pairId,
      inviterMemberId: inviter,
      inviteeHint: hint ?? null,
      ttlSeconds: ttl ?? ctx.inviteTtlSeconds,
      now,
    });
  });
}

/** Lists a pair's pending invites, without secrets. */
export async function listInvites(
  ctx: ServiceContext,
  pairIdInput: string,
  actorInput: string,
): Promise<InviteRecord[]> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const actor = parseField(idSchema, actorInput, "actorMemberId");
  const now = ctx.now();
  return await ctx.store.read(async (tx) => {
    await requireActiveMember(tx, pairId, actor);
    return (await tx.listPendingInvites(pairId, now)).map(toInviteRecord);
  });
}

/** Revokes a pending invite; the inviter, an admin or the owner may. */
export async function revokeInvite(
  ctx: ServiceContext,
  pairIdInput: string,
  actorInput: string,
  inviteIdInput: string,
): Promise<InviteRecord> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const actor = parseField(idSchema, actorInput, "actorMemberId");
  const inviteId = parseField(idSchema, inviteIdInput, "inviteId");
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    const member = await requireActiveMember(tx, pairId, actor);
    const invite = await tx.getInvite(pairId, inviteId);
    if (invite === undefined) {
      throw new TenantPairError(
        "INVITE_NOT_FOUND",
        `Cannot revoke invite ${quote(inviteId)}: pair ${
          quote(pairId)
        } has no such invite; list the pending invites for their ids`,
        { details: { pairId, inviteId } },
      );
    }
    if (invite.inviterMemberId !== actor && member.role === "member") {
      throw new TenantPairError(
        "FORBIDDEN",
        `Cannot revoke invite ${
          quote(inviteId)
        }: only its inviter, an admin or the owner may; ask one of them`,
        { details: { pairId, inviteId } },
      );
    }
    throwIfNotPending(invite, "revoke");
    await tx.updateInviteStatus(pairId, inviteId, {
      status: "revoked",
      acceptedBy: null,
      acceptedAt: null,
      revokedAt: now,
    });
    await addEvent(tx, {
      pairId,
      type: "invite.revoked",
      actor,
      subject: null,
      at: now,
      data: { inviteId },
    });
    return toInviteRecord({ ...invite, status: "revoked", revokedAt: now });
  });
}

function throwIfNotPending(invite: InviteRow, action: string): void {
  if (invite.status === "accepted") {
    throw new TenantPairError(
      "INVITE_ALREADY_ACCEPTED",
      `Cannot ${action} invite ${
        quote(invite.inviteId)
      }: it was already accepted; ask for a new invite`,
      { details: { inviteId: invite.inviteId } },
    );
  }
  if (invite.status === "revoked") {
    throw new TenantPairError(
      "INVITE_REVOKED",
      `Cannot ${action} invite ${
        quote(invite.inviteId)
      }: it was revoked; ask for a new invite`,
      { details: { inviteId: invite.inviteId } },
    );
  }
}

function notFoundByCode(): TenantPairError {
  return new TenantPairError(
    "INVITE_NOT_FOUND",
    "Cannot accept the short code: no pending invite has it; check the code or ask for a new invite",
  );
}

/** Checks the wrong-code limits; returns an error when the caller is limited. */
async function checkCodeLimits(
  ctx: ServiceContext,
  tx: StoreTransaction,
  memberId: string,
  now: number,
): Promise<TenantPairError | undefined> {
  const limits = ctx.shortCodeAttempts;
  const mine = await tx.countCodeFailures(
    attemptKey(memberId),
    now - limits.perMemberWindowSeconds * 1000,
  );
  const all = await tx.countCodeFailures(
    null,
    now - limits.storeWideWindowSeconds * 1000,
  );
  if (mine < limits.perMember && all < limits.storeWide) return undefined;
  const window = mine >= limits.perMember
    ? limits.perMemberWindowSeconds
    : limits.storeWideWindowSeconds;
  return new TenantPairError(
    "RATE_LIMITED",
    `Cannot accept short codes for ${
      quote(memberId)
    } now: too many wrong codes; wait up to ${window} seconds, or use the invite link`,
    { details: { memberId, windowSeconds: window } },
  );
}

type Lookup = { invite: InviteRow } | { error: TenantPairError };

async function findByCode(
  ctx: ServiceContext,
  tx: StoreTransaction,
  code: string,
  memberId: string,
  now: number,
): Promise<Lookup> {
  const limited = await checkCodeLimits(ctx, tx, memberId, now);
  if (limited !== undefined) return { error: limited };

  const normalized = normalizeShortCode(code);
  const invite = normalized === undefined
    ? undefined
    : await tx.findPendingInviteByCodeHash(hashSecret(normalized), now);
  if (invite !== undefined) return { invite };

  const limits = ctx.shortCodeAttempts;
  const oldest = now - Math.max(
        limits.perMemberWindowSeconds,
        limits.storeWideWindowSeconds,
      ) * 1000;
  await tx.insertCodeFailure(attemptKey(memberId), now, oldest);
  return { error: notFoundByCode() };
}

async function findByToken(
  tx: StoreTransaction,
  token: string,
  now: number,
): Promise<InviteRow> {
  const invite = await tx.findInviteByTokenHash(hashSecret(token));
  if (invite === undefined) {
    throw new TenantPairError(
      "INVITE_NOT_FOUND",
      "Cannot accept the invite token: no invite has it; check the link or ask for a new invite",
    );
  }
  throwIfNotPending(invite, "accept");
  if (invite.expiresAt <= now) {
    throw new TenantPairError(
      "INVITE_EXPIRED",
      `Cannot accept invite ${quote(invite.inviteId)}: it expired at ${
        toIso(invite.expiresAt)
      }; ask for a new invite`,
      { details: { inviteId: invite.inviteId } },
    );
  }
  return invite;
}

async function join(
  tx: StoreTransaction,
  invite: InviteRow,
  memberId: string,
  displayName: string | null,
  now: number,
): Promise<AcceptInviteResult> {
  const pair = await requirePair(tx, invite.pairId);
  const existing = await tx.getMember(pair.pairId, memberId);
  if (existing !== undefined && existing.leftAt === null) {
    throw new TenantPairError(
      "ALREADY_MEMBER",
      `Cannot accept invite into pair ${quote(pair.pairId)}: ${
        quote(memberId)
      } is already a member; nothing to do`,
      { details: { pairId: pair.pairId, memberId } },
    );
  }
  if (
    existing !== undefined && existing.removedAt !== null &&
    invite.createdAt < existing.removedAt
  ) {
    throw new TenantPairError(
      "FORBIDDEN",
      `Cannot accept invite into pair ${quote(pair.pairId)}: ${
        quote(memberId)
      } was removed after this invite was created; ask for a new invite`,
      { details: { pairId: pair.pairId, memberId } },
    );
  }
  const cap = pair.maxMembers;
  if (cap !== null && await tx.countActiveMembers(pair.pairId) >= cap) {
    throw new TenantPairError(
      "PAIR_FULL",
      `Cannot join pair ${
        quote(pair.pairId)
      }: it has ${cap} of ${cap} members; ask the owner to make room`,
      { details: { pairId: pair.pairId, maxMembers: cap } },
    );
  }

  const member: MemberRow = {
    pairId: pair.pairId,
    memberId,
    role: "member",
    displayName,
    joinedAt: now,
    leftAt: null,
    leftReason: null,
    removedAt: existing?.removedAt ?? null,
    forgottenAt: null,
  };
  await tx.putMember(member);
  await tx.updateInviteStatus(pair.pairId, invite.inviteId, {
    status: "accepted",
    acceptedBy: memberId,
    acceptedAt: now,
    revokedAt: null,
  });
  await addEvent(tx, {
    pairId: pair.pairId,
    type: "invite.accepted",
    actor: memberId,
    subject: memberId,
    at: now,
    data: { inviteId: invite.inviteId },
  });
  const members = await tx.listMembers(pair.pairId, false);
  return {
    pairId: pair.pairId,
    memberId,
    members: members.map(toMemberRecord),
  };
}

/** Joins a pair with an invite token or a short code. */
export async function acceptInvite(
  ctx: ServiceContext,
  options: AcceptInviteOptions,
): Promise<AcceptInviteResult> {
  const input = optionsObject<Record<string, unknown>>(
    options as unknown as Record<string, unknown>,
  );
  const memberId = parseField(idSchema, input.memberId, "memberId");
  const token = parseOptional(tokenSchema, input.inviteToken, "inviteToken");
  const code = parseOptional(shortCodeSchema, input.shortCode, "shortCode");
  const displayName = parseOptional(
    nameSchema,
    input.displayName,
    "displayName",
  );
  if ((token === undefined) === (code === undefined)) {
    throw new TenantPairError(
      "INVALID_INPUT",
      "Invalid invite: give exactly one of inviteToken and shortCode",
      { details: { field: token === undefined ? "inviteToken" : "shortCode" } },
    );
  }
  const now = ctx.now();

  // A wrong short code must be counted even though the call fails, so the
  // transaction commits the count and the error is raised afterwards.
  const outcome = await ctx.store.write(async (tx) => {
    const lookup = code !== undefined
      ? await findByCode(ctx, tx, code, memberId, now)
      : { invite: await findByToken(tx, token as string, now) };
    if ("error" in lookup) return lookup;
    return {
      result: await join(
        tx,
        lookup.invite,
        memberId,
        displayName ?? null,
        now,
      ),
    };
  });
  if ("error" in outcome) throw outcome.error;
  return outcome.result;
}
