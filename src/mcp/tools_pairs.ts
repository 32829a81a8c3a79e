import { z } from "zod";
import {
  idArgument,
  integerArgument,
  shortCodeArgument,
  textArgument,
  tokenArgument,
} from "./arguments.ts";
import {
  inviteOutput,
  memberOutput,
  newInviteShape,
  pairOutput,
} from "./outputs.ts";
import { defineTool, type Tool } from "./tool.ts";

const pairId = idArgument("The pair's id, as returned by create_pair.");

/** Tools that create pairs and manage invites. */
export const PAIR_TOOLS: readonly Tool[] = [
  defineTool({
    name: "whoami",
    title: "Who am I",
    description:
      "Tells which member this server acts for and whether that identity is verified. Use it first to learn the member id to pass, or that none is needed. Returns the bound member id (null when unbound) and, when bound, that member's pairs.",
    input: {},
    output: {
      memberId: z.string().nullable(),
      bound: z.boolean(),
      identityVerified: z.boolean(),
      serverVersion: z.string(),
      pairs: z.array(pairOutput),
    },
    effect: "read",
    idempotent: true,
    async run(_args, { tenants, identity, version }) {
      const memberId = identity.boundMemberId ?? null;
      const pairs = memberId === null ? [] : await tenants.listPairs(memberId);
      const summary = memberId === null
        ? "This server is not bound to a member: name the acting member in each call; identity is not verified."
        : `This server acts for member "${memberId}", a member of ${pairs.length} pair(s).`;
      return {
        summary,
        data: {
          memberId,
          bound: memberId !== null,
          identityVerified: memberId !== null,
          serverVersion: version,
          pairs,
        },
      };
    },
  }),

  defineTool({
    name: "create_pair",
    title: "Create a pair",
    description:
      "Creates a new pair (a couple, family or small group) with the caller as owner, and a first invite. Use it when someone wants to start sharing with others. Returns the pair id and the invite's token (for a link) and short code (XXXX-XXXX, to read aloud); both are shown only this once.",
    input: {
      creatorMemberId: idArgument(
        "The member who creates the pair and becomes its owner. Leave out on a bound server.",
      ).optional(),
      displayName: textArgument(120, "The creator's own display name.")
        .optional(),
      pairName: textArgument(120, 'A name for the pair, such as "Home".')
        .optional(),
    },
    output: { pairId: z.string(), ...newInviteShape },
    effect: "write",
    idempotent: false,
    async run(args, { tenants, identity, touch }) {
      const creator = identity.actor(args.creatorMemberId, "creatorMemberId");
      const result = await tenants.createPair({
        creatorMemberId: creator,
        ...(args.displayName === undefined
          ? {}
          : { displayName: args.displayName }),
        ...(args.pairName === undefined ? {} : { pairName: args.pairName }),
      });
      touch(result.pairId, ["members", "events"]);
      return {
        summary:
          `Created pair "${result.pairId}". Share the short code ${result.shortCode} or the invite token; the invite expires at ${result.expiresAt}.`,
        data: result,
      };
    },
  }),

  defineTool({
    name: "list_pairs",
    title: "List my pairs",
    description:
      "Lists the pairs a member is active in. Use it to find a pair id. Returns each pair's id, name, creation time, member count and member cap.",
    input: {
      memberId: idArgument("The member. Leave out on a bound server.")
        .optional(),
    },
    output: { pairs: z.array(pairOutput) },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.actor(args.memberId, "memberId");
      const pairs = await tenants.listPairs(member);
      return {
        summary: `Member "${member}" is in ${pairs.length} pair(s).`,
        data: { pairs },
      };
    },
  }),

  defineTool({
    name: "invite_member",
    title: "Invite someone",
    description:
      "Creates an invite into a pair. Use it when a member wants to add a partner, family member or housemate. Returns the invite id, a token for a link and a short code to read aloud (XXXX-XXXX, shown only this once), and when it expires.",
    input: {
      pairId,
      inviterMemberId: idArgument(
        "The active member who sends the invite. Leave out on a bound server.",
      ).optional(),
      inviteeHint: textArgument(200, 'A note on who it is for, such as "Sam".')
        .optional(),
      ttlSeconds: integerArgument(
        60,
        2_592_000,
        "How long the invite works, in seconds; default 604800 (7 days).",
      ).optional(),
    },
    output: newInviteShape,
    effect: "write",
    idempotent: false,
    async run(args, { tenants, identity, touch }) {
      const inviter = identity.actor(args.inviterMemberId, "inviterMemberId");
      const invite = await tenants.inviteMember({
        pairId: args.pairId,
        inviterMemberId: inviter,
        ...(args.inviteeHint === undefined
          ? {}
          : { inviteeHint: args.inviteeHint }),
        ...(args.ttlSeconds === undefined
          ? {}
          : { ttlSeconds: args.ttlSeconds }),
      });
      touch(args.pairId, ["events"]);
      return {
        summary:
          `Created invite "${invite.inviteId}" with short code ${invite.shortCode}; it expires at ${invite.expiresAt}.`,
        data: invite,
      };
    },
  }),

  defineTool({
    name: "list_invites",
    title: "List pending invites",
    description:
      "Lists a pair's pending, unexpired invites, never their token or short code. Use it to see who was invited or to find an invite id to revoke.",
    input: {
      pairId,
      memberId: idArgument(
        "The active member asking. Leave out on a bound server.",
      ).optional(),
    },
    output: { invites: z.array(inviteOutput) },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const actor = identity.actor(args.memberId, "memberId");
      const invites = await tenants.listInvites(args.pairId, actor);
      return {
        summary:
          `Pair "${args.pairId}" has ${invites.length} pending invite(s).`,
        data: { invites },
      };
    },
  }),

  defineTool({
    name: "revoke_invite",
    title: "Revoke an invite",
    description:
      "Revokes a pending invite so its token and short code stop working. Its inviter, an admin or the owner may. Returns the revoked invite.",
    input: {
      pairId,
      inviteId: idArgument("The invite's id, from list_invites."),
      memberId: idArgument(
        "The member revoking. Leave out on a bound server.",
      ).optional(),
    },
    output: inviteOutput.shape,
    effect: "destructive",
    idempotent: true,
    async run(args, { tenants, identity, touch }) {
      const actor = identity.actor(args.memberId, "memberId");
      const invite = await tenants.revokeInvite(
        args.pairId,
        actor,
        args.inviteId,
      );
      touch(args.pairId, ["events"]);
      return {
        summary: `Revoked invite "${invite.inviteId}".`,
        data: invite,
      };
    },
  }),

  defineTool({
    name: "accept_invite",
    title: "Accept an invite",
    description:
      "Joins a pair with an invite token from a link or a short code read aloud. Give exactly one of them. The short code may be typed in any case, with or without the dash, and O/0, I/L/1 misreadings are forgiven. Returns the pair id and its active members.",
    input: {
      inviteToken: tokenArgument("The invite token from a link.").optional(),
      shortCode: shortCodeArgument(
        "The short code, such as ABCD-EFGH or abcdefgh.",
      ).optional(),
      memberId: idArgument(
        "The member who joins. Leave out on a bound server.",
      ).optional(),
      displayName: textArgument(120, "The joining member's display name.")
        .optional(),
    },
    output: {
      pairId: z.string(),
      memberId: z.string(),
      members: z.array(memberOutput),
    },
    effect: "write",
    idempotent: false,
    async run(args, { tenants, identity, touch }) {
      const member = identity.actor(args.memberId, "memberId");
      const result = await tenants.acceptInvite({
        memberId: member,
        ...(args.inviteToken === undefined
          ? {}
          : { inviteToken: args.inviteToken }),
        ...(args.shortCode === undefined ? {} : { shortCode: args.shortCode }),
        ...(args.displayName === undefined
          ? {}
          : { displayName: args.displayName }),
      });
      touch(result.pairId, ["members", "events"]);
      return {
        summary:
          `Member "${member}" joined pair "${result.pairId}", which now has ${result.members.length} active member(s).`,
        data: result,
      };
    },
  }),
];
