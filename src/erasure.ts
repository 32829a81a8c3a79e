import type { ServiceContext } from "./context.ts";
import { quote, TenantPairError } from "./errors.ts";
import { attemptKey } from "./invites.ts";
import { endMembership, requirePair } from "./membership.ts";
import {
  addEvent,
  candidateToEntry,
  toEventRecord,
  toInviteRecord,
  toMemberRecord,
  toPreferenceEntry,
  toStateEntry,
} from "./records.ts";
import { idSchema, parseField, parseOptional, toIso } from "./schemas.ts";
import type { MemberRow, StoreTransaction } from "./stores/store.ts";
import type {
  ForgetMemberOptions,
  ForgetReport,
  MemberExport,
} from "./types.ts";

async function requireKnownMember(
  tx: StoreTransaction,
  pairId: string,
  memberId: string,
): Promise<MemberRow> {
  await requirePair(tx, pairId);
  const member = await tx.getMember(pairId, memberId);
  if (member === undefined) {
    throw new TenantPairError(
      "NOT_A_MEMBER",
      `Cannot find member ${quote(memberId)} in pair ${
        quote(pairId)
      }: they never joined it; check the ids`,
      { details: { pairId, memberId } },
    );
  }
  return member;
}

/**
 * Replaces the member's shared values with tombstones and closes their
 * pending candidates as lost. Each key whose current value the member wrote
 * changes visibly, so it adds 1 to its namespace revision and is announced
 * as a delete.
 */
async function eraseSharedWrites(
  tx: StoreTransaction,
  pairId: string,
  memberId: string,
  now: number,
): Promise<number> {
  const touched = new Map<string, { namespace: string; key: string }>();
  for (const row of await tx.listSharedVersionsBy(pairId, memberId)) {
    touched.set(JSON.stringify([row.scopeId, row.key]), {
      namespace: row.scopeId,
      key: row.key,
    });
  }
  const visible: { namespace: string; key: string; version: number }[] = [];
  for (const { namespace, key } of touched.values()) {
    const scope = { pairId, space: "pair" as const, scopeId: namespace };
    const current = (await tx.readCurrent(scope, now, [key]))[0];
    if (current?.writtenBy === memberId && !current.deleted) {
      visible.push({ namespace, key, version: current.version });
    }
  }

  const erased = await tx.tombstoneSharedWrites(pairId, memberId);
  for (const candidate of await tx.listCandidatesBy(pairId, memberId)) {
    if (candidate.status !== "pending") continue;
    await tx.setCandidateStatus(
      pairId,
      candidate.candidateId,
      "lost",
      now,
      null,
    );
  }
  for (const change of visible) {
    await tx.bumpRevision(pairId, change.namespace);
    tx.announce({ pairId, ...change, change: "delete" });
  }
  return erased;
}

/**
 * Erases a member from a pair (GDPR Art. 17): removes them if active, deletes
 * every version of their private preferences, their display name, hints of
 * invites to or from them and the reasons given for removing them, then
 * scrubs the deleted bytes from disk. The membership row and a content-free
 * `member.forgotten` event remain. Calling it again repeats the erasure and
 * the scrub without adding another event.
 */
export async function forgetMember(
  ctx: ServiceContext,
  pairIdInput: unknown,
  memberIdInput: unknown,
  options: ForgetMemberOptions,
): Promise<ForgetReport> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const memberId = parseField(idSchema, memberIdInput, "memberId");
  const actor = parseOptional(idSchema, options.actorMemberId, "actorMemberId");
  const eraseShared = options.eraseSharedWrites === true;
  const now = ctx.now();

  const report = await ctx.store.write(async (tx) => {
    const member = await requireKnownMember(tx, pairId, memberId);
    const wasActive = member.leftAt === null;
    const again = !wasActive && member.forgottenAt !== null;
    const privateVersions = (await tx.listMemberVersions(pairId, memberId))
      .length;
    if (!again) {
      await addEvent(tx, {
        pairId,
        type: "member.forgotten",
        actor: actor ?? null,
        subject: memberId,
        at: now,
      });
    }
    if (wasActive) await endMembership(tx, member, "forgotten", now);

    const latest = await tx.getMember(pairId, memberId) as MemberRow;
    await tx.putMember({
      ...latest,
      displayName: null,
      leftReason: wasActive ? "forgotten" : latest.leftReason,
      removedAt: again ? latest.removedAt : now,
      forgottenAt: again ? latest.forgottenAt : now,
    });
    await tx.deleteMemberState(pairId, memberId);
    return {
      pairId,
      memberId,
      removedFromPair: wasActive,
      privateVersionsErased: privateVersions,
      displayNamesErased: member.displayName === null ? 0 : 1,
      inviteHintsErased: await tx.eraseInviteHints(pairId, memberId),
      sharedWritesErased: eraseShared
        ? await eraseSharedWrites(tx, pairId, memberId, ctx.readTime())
        : 0,
      eventDetailsErased: await tx.eraseEventData(pairId, memberId),
      diskScrubbed: false,
      forgottenAt: toIso(again ? latest.forgottenAt as number : now),
    };
  });

  const scrub = await ctx.store.scrub();
  if (scrub === "blocked") {
    throw new TenantPairError(
      "STORE_UNAVAILABLE",
      `Cannot finish forgetting ${
        quote(memberId)
      }: the rows are deleted, but another connection's open read kept the WAL from being cleared, so old bytes remain on disk; call forgetMember again once other readers finish`,
      { details: { ...report } },
    );
  }
  return { ...report, diskScrubbed: scrub === "scrubbed" };
}

/** Collects every stored fact about a member of a pair (GDPR Art. 15 and 20). */
export async function exportMemberData(
  ctx: ServiceContext,
  pairIdInput: unknown,
  memberIdInput: unknown,
): Promise<MemberExport> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const memberId = parseField(idSchema, memberIdInput, "memberId");
  const now = ctx.now();

  return await ctx.store.read(async (tx) => {
    const member = await requireKnownMember(tx, pairId, memberId);
    const invites = await tx.listInvitesOfMember(pairId, memberId);
    const shared = [
      ...(await tx.listSharedVersionsBy(pairId, memberId)).map(toStateEntry),
      ...(await tx.listCandidatesBy(pairId, memberId)).map(candidateToEntry),
    ];
    const attempts = await tx.listCodeFailures(attemptKey(memberId));
    return {
      exportedAt: toIso(now),
      pairId,
      memberId,
      membership: {
        ...toMemberRecord(member),
        forgottenAt: member.forgottenAt === null
          ? null
          : toIso(member.forgottenAt),
      },
      preferences: (await tx.listMemberVersions(pairId, memberId)).map(
        toPreferenceEntry,
      ),
      sharedWrites: shared,
      invitesCreated: invites.filter((i) => i.inviterMemberId === memberId)
        .map(toInviteRecord),
      invitesAccepted: invites.filter((i) => i.acceptedBy === memberId).map(
        toInviteRecord,
      ),
      events: (await tx.listEventsOfMember(pairId, memberId)).map(
        toEventRecord,
      ),
      wrongShortCodeAttempts: attempts.map(toIso),
    };
  });
}
