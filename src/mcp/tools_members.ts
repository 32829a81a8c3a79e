import { z } from "zod";
import { booleanArgument, idArgument, textArgument } from "./arguments.ts";
import { requireReader } from "./identity.ts";
import { memberOutput } from "./outputs.ts";
import { defineTool, type Tool } from "./tool.ts";

const pairId = idArgument("The pair's id.");

/** Tools that list and change a pair's membership. */
export const MEMBER_TOOLS: readonly Tool[] = [
  defineTool({
    name: "list_members",
    title: "List members",
    description:
      "Lists a pair's members with role (owner, admin, member), display name and join time. Use it to see who shares the pair or to find a member id. With includeLeft it also lists members who left or were removed.",
    input: {
      pairId,
      includeLeft: booleanArgument(
        "Also list members who left or were removed; default false.",
      ).optional(),
      memberId: idArgument(
        "The member asking; checked to be active. Leave out on a bound server.",
      ).optional(),
    },
    output: { members: z.array(memberOutput) },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const reader = identity.optionalActor(args.memberId, "memberId");
      await requireReader(tenants, args.pairId, reader);
      const members = await tenants.listMembers(args.pairId, {
        includeLeft: args.includeLeft === true,
      });
      return {
        summary: `Pair "${args.pairId}" lists ${members.length} member(s).`,
        data: { members },
      };
    },
  }),

  defineTool({
    name: "kick_member",
    title: "Remove a member",
    description:
      "Removes another member from a pair. Only the owner may, and never themselves. The removed member's private preferences are erased, invites they sent are revoked, and invites created before now cannot readmit them; their shared writes stay. Returns the removed member's record.",
    input: {
      pairId,
      actingMemberId: idArgument(
        "The owner who removes. Leave out on a bound server.",
      ).optional(),
      targetMemberId: idArgument("The member to remove."),
      reason: textArgument(500, "Why, kept in the audit log until erasure.")
        .optional(),
    },
    output: memberOutput.shape,
    effect: "destructive",
    idempotent: true,
    async run(args, { tenants, identity, touch }) {
      const actor = identity.actor(args.actingMemberId, "actingMemberId");
      const removed = await tenants.kickMember(
        args.pairId,
        actor,
        args.targetMemberId,
        args.reason === undefined ? {} : { reason: args.reason },
      );
      touch(args.pairId, ["members", "events"]);
      return {
        summary:
          `Removed member "${removed.memberId}" from pair "${args.pairId}".`,
        data: removed,
      };
    },
  }),

  defineTool({
    name: "leave_pair",
    title: "Leave a pair",
    description:
      "Leaves a pair. The member's private preferences in it are erased; their shared writes stay. When the owner leaves, the longest-standing member becomes owner. Returns the member's record after leaving.",
    input: {
      pairId,
      memberId: idArgument(
        "The member who leaves. Leave out on a bound server.",
      )
        .optional(),
    },
    output: memberOutput.shape,
    effect: "destructive",
    idempotent: true,
    async run(args, { tenants, identity, touch }) {
      const member = identity.actor(args.memberId, "memberId");
      const left = await tenants.leavePair(args.pairId, member);
      touch(args.pairId, ["members", "events"]);
      return {
        summary: `Member "${member}" left pair "${args.pairId}".`,
        data: left,
      };
    },
  }),

  defineTool({
    name: "transfer_ownership",
    title: "Transfer ownership",
    description:
      "Hands ownership of a pair to another active member; the caller, who must be the owner, becomes a plain member. Returns the active members afterwards.",
    input: {
      pairId,
      newOwnerMemberId: idArgument("The active member who becomes owner."),
      memberId: idArgument(
        "The current owner. Leave out on a bound server.",
      ).optional(),
    },
    output: { members: z.array(memberOutput) },
    effect: "write",
    idempotent: true,
    async run(args, { tenants, identity, touch }) {
      const owner = identity.actor(args.memberId, "memberId");
      const members = await tenants.transferOwnership(
        args.pairId,
        owner,
        args.newOwnerMemberId,
      );
      touch(args.pairId, ["members", "events"]);
      return {
        summary:
          `Member "${args.newOwnerMemberId}" now owns pair "${args.pairId}".`,
        data: { members },
      };
    },
  }),
];
