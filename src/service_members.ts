import type { ServiceContext } from "./context.ts";
import { quote, TenantPairError } from "./errors.ts";
import {
  endMembership,
  requireActiveMember,
  requireOwner,
  requirePair,
} from "./membership.ts";
import { addEvent, toMemberRecord, toPairRecord } from "./records.ts";
import {
  idSchema,
  parseField,
  parseOptional,
  reasonSchema,
} from "./schemas.ts";
import type {
  KickMemberOptions,
  ListMembersOptions,
  MemberRecord,
  PairRecord,
} from "./types.ts";

/** Loads one pair with its active member count. */
export async function getPair(
  ctx: ServiceContext,
  pairIdInput: string,
): Promise<PairRecord> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  return await ctx.store.read(async (tx) => {
    const pair = await requirePair(tx, pairId);
    return toPairRecord(pair, await tx.countActiveMembers(pairId));
  });
}

/** Lists the pairs where a member is active. */
export async function listPairs(
  ctx: ServiceContext,
  memberIdInput: string,
): Promise<PairRecord[]> {
  const memberId = parseField(idSchema, memberIdInput, "memberId");
  return await ctx.store.read(async (tx) => {
    const pairs = await tx.listPairsOfMember(memberId);
    const records: PairRecord[] = [];
    for (const pair of pairs) {
      records.push(
        toPairRecord(pair, await tx.countActiveMembers(pair.pairId)),
      );
    }
    return records;
  });
}

/** Lists a pair's members, oldest join first. */
export async function listMembers(
  ctx: ServiceContext,
  pairIdInput: string,
  options: ListMembersOptions = {},
): Promise<MemberRecord[]> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const includeLeft = options.includeLeft === true;
  return await ctx.store.read(async (tx) => {
    await requirePair(tx, pairId);
    return (await tx.listMembers(pairId, includeLeft)).map(toMemberRecord);
  });
}

/** Removes a member; only the owner may, and never themselves. */
export async function kickMember(
  ctx: ServiceContext,
  pairIdInput: string,
  actorInput: string,
  targetInput: string,
  options: KickMemberOptions = {},
): Promise<MemberRecord> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const actor = parseField(idSchema, actorInput, "actingMemberId");
  const target = parseField(idSchema, targetInput, "targetMemberId");
  const reason = parseOptional(reasonSchema, options.reason, "reason");
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    await requireActiveMember(tx, pairId, actor);
    if (actor === target) {
      throw new TenantPairError(
        "CANNOT_KICK_SELF",
        `Cannot remove ${quote(actor)} from pair ${
          quote(pairId)
        }: members cannot remove themselves; leave the pair instead`,
        { details: { pairId, memberId: actor } },
      );
    }
    await requireOwner(tx, pairId, actor, "remove members");
    const member = await tx.getMember(pairId, target);
    if (member === undefined || member.leftAt !== null) {
      throw new TenantPairError(
        "NOT_A_MEMBER",
        `Cannot remove ${quote(target)} from pair ${
          quote(pairId)
        }: not an active member; list the members for their ids`,
        { details: { pairId, memberId: target } },
      );
    }
    await addEvent(tx, {
      pairId,
      type: "member.kicked",
      actor,
      subject: target,
      at: now,
      data: reason === undefined ? {} : { reason },
    });
    await endMembership(tx, member, "kicked", now);
    const after = await tx.getMember(pairId, target);
    return toMemberRecord(after ?? member);
  });
}

/** Ends the caller's own membership. */
export async function leavePair(
  ctx: ServiceContext,
  pairIdInput: string,
  memberIdInput: string,
): Promise<MemberRecord> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const memberId = parseField(idSchema, memberIdInput, "memberId");
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    const member = await requireActiveMember(tx, pairId, memberId);
    await addEvent(tx, {
      pairId,
      type: "member.left",
      actor: memberId,
      subject: memberId,
      at: now,
    });
    await endMembership(tx, member, "left", now);
    const after = await tx.getMember(pairId, memberId);
    return toMemberRecord(after ?? member);
  });
}

/** Makes another active member the owner; the old owner becomes a member. */
export async function transferOwnership(
  ctx: ServiceContext,
  pairIdInput: string,
  ownerInput: string,
  newOwnerInput: string,
): Promise<MemberRecord[]> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const owner = parseField(idSchema, ownerInput, "ownerMemberId");
  const heir = parseField(idSchema, newOwnerInput, "newOwnerMemberId");
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    const current = await requireOwner(tx, pairId, owner, "transfer ownership");
    if (owner === heir) {
      throw new TenantPairError(
        "INVALID_INPUT",
        `Invalid newOwnerMemberId: ${quote(heir)} already owns pair ${
          quote(pairId)
        }; name another member`,
        { details: { field: "newOwnerMemberId" } },
      );
    }
    const next = await requireActiveMember(tx, pairId, heir);
    await tx.putMember({ ...current, role: "member" });
    await tx.putMember({ ...next, role: "owner" });
    await addEvent(tx, {
      pairId,
      type: "owner.transferred",
      actor: owner,
      subject: heir,
      at: now,
    });
    return (await tx.listMembers(pairId, false)).map(toMemberRecord);
  });
}
