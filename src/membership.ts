import { quote, TenantPairError } from "./errors.ts";
import { addEvent } from "./records.ts";
import type { MemberRow, PairRow, StoreTransaction } from "./stores/store.ts";

/**
 * Loads a pair.
 *
 * @throws {TenantPairError} `PAIR_NOT_FOUND`.
 */
export async function requirePair(
  tx: StoreTransaction,
  pairId: string,
): Promise<PairRow> {
  const pair = await tx.getPair(pairId);
  if (pair === undefined) {
    throw new TenantPairError(
      "PAIR_NOT_FOUND",
      `Cannot find pair ${
        quote(pairId)
      }; check the id or create the pair first`,
      { details: { pairId } },
    );
  }
  return pair;
}

/**
 * Loads an active member of an existing pair.
 *
 * @throws {TenantPairError} `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
 */
export async function requireActiveMember(
  tx: StoreTransaction,
  pairId: string,
  memberId: string,
): Promise<MemberRow> {
  await requirePair(tx, pairId);
  const member = await tx.getMember(pairId, memberId);
  if (member === undefined || member.leftAt !== null) {
    throw new TenantPairError(
      "NOT_A_MEMBER",
      `Cannot act as ${quote(memberId)} in pair ${
        quote(pairId)
      }: not an active member; join with an invite first`,
      { details: { pairId, memberId } },
    );
  }
  return member;
}

/**
 * Loads the acting member and checks that they own the pair.
 *
 * @throws {TenantPairError} `PAIR_NOT_FOUND`, `NOT_A_MEMBER` or `FORBIDDEN`.
 */
export async function requireOwner(
  tx: StoreTransaction,
  pairId: string,
  memberId: string,
  action: string,
): Promise<MemberRow> {
  const member = await requireActiveMember(tx, pairId, memberId);
  if (member.role !== "owner") {
    throw new TenantPairError(
      "FORBIDDEN",
      `Cannot ${action} in pair ${quote(pairId)}: ${
        quote(memberId)
      } is ${member.role}, and only the owner may; ask the owner`,
      { details: { pairId, memberId, role: member.role } },
    );
  }
  return member;
}

/** Revokes pending invites of a pair, all or only those one member sent. */
export async function revokePendingInvites(
  tx: StoreTransaction,
  pairId: string,
  inviterMemberId: string | null,
  at: number,
): Promise<void> {
  for (const invite of await tx.listPendingInvites(pairId, at)) {
    if (
      inviterMemberId !== null && invite.inviterMemberId !== inviterMemberId
    ) {
      continue;
    }
    await tx.updateInviteStatus(pairId, invite.inviteId, {
      status: "revoked",
      acceptedBy: null,
      acceptedAt: null,
      revokedAt: at,
    });
    await addEvent(tx, {
      pairId,
      type: "invite.revoked",
      actor: null,
      subject: null,
      at,
      data: { inviteId: invite.inviteId },
    });
  }
}

/**
 * Ends an active membership: erases the member's private preferences,
 * revokes the invites they sent, and hands ownership on when they owned the
 * pair. The caller records the event with the reason.
 */
export async function endMembership(
  tx: StoreTransaction,
  member: MemberRow,
  reason: "left" | "kicked" | "forgotten",
  at: number,
): Promise<void> {
  const removed = reason !== "left";
  await tx.putMember({
    ...member,
    role: "member",
    leftAt: at,
    leftReason: reason,
    removedAt: removed ? at : member.removedAt,
  });
  await tx.deleteMemberState(member.pairId, member.memberId);
  await revokePendingInvites(tx, member.pairId, member.memberId, at);

  const remaining = await tx.listMembers(member.pairId, false);
  if (remaining.length === 0) {
    await revokePendingInvites(tx, member.pairId, null, at);
    return;
  }
  if (member.role !== "owner") return;

  // listMembers orders by joinedAt, then memberId: the first is the
  // longest-standing active member.
  const heir = remaining[0] as MemberRow;
  await tx.putMember({ ...heir, role: "owner" });
  await addEvent(tx, {
    pairId: member.pairId,
    type: "owner.transferred",
    actor: null,
    subject: heir.memberId,
    at,
  });
}
