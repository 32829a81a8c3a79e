import {
  hintSchema,
  keySchema,
  maxMembersSchema,
  nameSchema,
  reasonSchema,
  shortCodeSchema,
  tokenSchema,
  ttlSchema,
} from "../schemas.ts";
import type {
  InviteRecord,
  InviteResult,
  MemberRecord,
  PairRecord,
} from "../types.ts";
import type { Command } from "./command.ts";
import { ACTOR_FLAG, PAIR_ID_FLAG } from "./flag_specs.ts";
import { formatFields, formatTable, formatValues, showText } from "./format.ts";

const PAIR_ID = PAIR_ID_FLAG;
const ACTOR = ACTOR_FLAG;

const SECRET_NOTE =
  "The token and the short code are shown only now. Share one of them with the person you invite; either works once.";

/** Shows members as a table, with why they left when any did. */
export function formatMembers(members: readonly MemberRecord[]): string {
  if (members.length === 0) return "No members.";
  const anyLeft = members.some((member) => member.leftAt !== null);
  const headers = ["MEMBER", "ROLE", "NAME", "JOINED AT"];
  if (anyLeft) headers.push("LEFT AT", "REASON");
  return formatTable(
    headers,
    members.map((member) => {
      const cells = [
        member.memberId,
        member.role,
        showText(member.displayName),
        member.joinedAt,
      ];
      if (anyLeft) {
        cells.push(showText(member.leftAt), showText(member.leftReason));
      }
      return cells;
    }),
  );
}

function formatInvite(
  result: InviteResult & { pairId?: string },
  heading: string,
): string {
  const fields: [string, string][] = [];
  if (result.pairId !== undefined) fields.push(["pair id", result.pairId]);
  fields.push(
    ["invite id", result.inviteId],
    ["invite token", result.inviteToken],
    ["short code", result.shortCode],
    ["expires at", result.expiresAt],
  );
  return `${heading}\n${formatFields(fields)}\n${SECRET_NOTE}`;
}

function formatInvites(invites: readonly InviteRecord[]): string {
  if (invites.length === 0) return "No pending invites.";
  return formatTable(
    ["INVITE ID", "INVITER", "STATUS", "CREATED AT", "EXPIRES AT", "HINT"],
    invites.map((invite) => [
      invite.inviteId,
      invite.inviterMemberId,
      invite.status,
      invite.createdAt,
      invite.expiresAt,
      showText(invite.inviteeHint),
    ]),
  );
}

function formatPairs(pairs: readonly PairRecord[]): string {
  if (pairs.length === 0) return "No pairs.";
  return formatTable(
    ["PAIR ID", "MEMBERS", "MAX", "CREATED AT", "NAME"],
    pairs.map((pair) => [
      pair.pairId,
      String(pair.memberCount),
      pair.maxMembers === null ? "-" : String(pair.maxMembers),
      pair.createdAt,
      showText(pair.pairName),
    ]),
  );
}

const create: Command = {
  words: ["pair", "create"],
  summary: "Create a pair owned by the acting member, with a first invite",
  flags: {
    "member-id": {
      ...ACTOR,
      description: "the member who creates the pair and becomes its owner",
    },
    name: {
      type: "string",
      placeholder: "NAME",
      description: "the creator's display name, 1-120 characters",
    },
    "pair-name": {
      type: "string",
      placeholder: "NAME",
      description: 'a name for the pair, such as "Home", 1-120 characters',
    },
    "max-members": {
      type: "string",
      placeholder: "N",
      description: "cap on active members, 1-10000; default no cap",
    },
  },
  examples: ["pair create --member-id alice --name Alice --pair-name Home"],
  async run(flags, context) {
    const creatorMemberId = flags.id("member-id");
    const displayName = flags.text("name", nameSchema);
    const pairName = flags.text("pair-name", nameSchema);
    const maxMembers = flags.integer("max-members", maxMembersSchema);

    const tenants = await context.tenants();
    const result = await tenants.createPair({
      creatorMemberId,
      ...(displayName === undefined ? {} : { displayName }),
      ...(pairName === undefined ? {} : { pairName }),
      ...(maxMembers === undefined ? {} : { maxMembers }),
    });
    const heading =
      `Created pair ${result.pairId}, owned by ${creatorMemberId}.`;
    return { json: result, text: formatInvite(result, heading) };
  },
};

const invite: Command = {
  words: ["pair", "invite"],
  summary: "Invite someone: a link token and a short code to read aloud",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the active member who invites" },
    hint: {
      type: "string",
      placeholder: "TEXT",
      description:
        'a note on who the invite is for, such as "Sam", 1-200 characters',
    },
    ttl: {
      type: "string",
      placeholder: "SECONDS",
      description:
        "how long the invite works, in seconds, 60-2592000; default 604800 (7 days)",
    },
  },
  examples: ["pair invite --pair-id P --member-id alice --hint Sam --ttl 3600"],
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const inviterMemberId = flags.id("member-id");
    const inviteeHint = flags.text("hint", hintSchema);
    const ttlSeconds = flags.integer("ttl", ttlSchema);

    const tenants = await context.tenants();
    const result = await tenants.inviteMember({
      pairId,
      inviterMemberId,
      ...(inviteeHint === undefined ? {} : { inviteeHint }),
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    });
    return {
      json: result,
      text: formatInvite(result, `Created invite ${result.inviteId}.`),
    };
  },
};

const invites: Command = {
  words: ["pair", "invites"],
  summary: "List a pair's pending invites, never their secrets",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the active member who asks" },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");

    const tenants = await context.tenants();
    const result = await tenants.listInvites(pairId, memberId);
    return { json: result, text: formatInvites(result) };
  },
};

const revokeInvite: Command = {
  words: ["pair", "revoke-invite"],
  summary: "Revoke a pending invite (its inviter, an admin or the owner)",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the member who revokes" },
    "invite-id": {
      type: "string",
      placeholder: "ID",
      required: true,
      description: "the invite, as listed by pair invites",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const inviteId = flags.id("invite-id");

    const tenants = await context.tenants();
    const result = await tenants.revokeInvite(pairId, memberId, inviteId);
    return { json: result, text: `Revoked invite ${result.inviteId}.` };
  },
};

const accept: Command = {
  words: ["pair", "accept"],
  summary: "Join a pair with an invite token or a short code",
  details: [
    "Give exactly one of --token and --code. A short code is accepted in any case, with or without the dash, with O read as 0 and I or L read as 1.",
  ],
  flags: {
    token: {
      type: "string",
      placeholder: "TOKEN",
      description: "the invite token from a link",
    },
    code: {
      type: "string",
      placeholder: "CODE",
      description: "the short code read aloud, such as 6ZJ4-XZAF",
    },
    "member-id": { ...ACTOR, description: "the member who joins" },
    name: {
      type: "string",
      placeholder: "NAME",
      description: "the joining member's display name, 1-120 characters",
    },
  },
  examples: [
    "pair accept --code 6zj4xzaf --member-id bob --name Bob",
    "pair accept --token bw_T9p8… --member-id bob",
  ],
  async run(flags, context) {
    if (flags.has("token") === flags.has("code")) {
      flags.fail("Give exactly one of --token and --code");
    }
    const inviteToken = flags.text("token", tokenSchema);
    const shortCode = flags.text("code", shortCodeSchema);
    const memberId = flags.id("member-id");
    const displayName = flags.text("name", nameSchema);

    const tenants = await context.tenants();
    const result = await tenants.acceptInvite({
      memberId,
      ...(inviteToken === undefined ? {} : { inviteToken }),
      ...(shortCode === undefined ? {} : { shortCode }),
      ...(displayName === undefined ? {} : { displayName }),
    });
    const heading = `${result.memberId} joined pair ${result.pairId}.`;
    return {
      json: result,
      text: `${heading}\n${formatMembers(result.members)}`,
    };
  },
};

const members: Command = {
  words: ["pair", "members"],
  summary: "List a pair's members with their roles",
  flags: {
    "pair-id": PAIR_ID,
    "include-left": {
      type: "boolean",
      description: "also list members who left or were removed",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const includeLeft = flags.switch("include-left");

    const tenants = await context.tenants();
    const result = await tenants.listMembers(pairId, { includeLeft });
    return { json: result, text: formatMembers(result) };
  },
};

const list: Command = {
  words: ["pair", "list"],
  summary: "List the pairs where a member is active",
  flags: {
    "member-id": { ...ACTOR, description: "the member whose pairs to list" },
  },
  async run(flags, context) {
    const memberId = flags.id("member-id");

    const tenants = await context.tenants();
    const result = await tenants.listPairs(memberId);
    return { json: result, text: formatPairs(result) };
  },
};

const show: Command = {
  words: ["pair", "show"],
  summary: "Show one pair: name, member count, cap and creation time",
  flags: { "pair-id": PAIR_ID },
  async run(flags, context) {
    const pairId = flags.id("pair-id");

    const tenants = await context.tenants();
    const pair = await tenants.getPair(pairId);
    const text = formatFields([
      ["pair id", pair.pairId],
      ["name", showText(pair.pairName)],
      ["members", String(pair.memberCount)],
      ["max members", pair.maxMembers === null ? "-" : String(pair.maxMembers)],
      ["created at", pair.createdAt],
    ]);
    return { json: pair, text };
  },
};

const constraints: Command = {
  words: ["pair", "constraints"],
  summary: "Show the preferences members shared with the pair, merged",
  details: [
    "Values are merged per key without saying whose they are: arrays as their union, differing other values as an array of the distinct values.",
  ],
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the active member who asks" },
    key: {
      type: "string",
      placeholder: "KEY",
      multiple: true,
      description: "only this key; repeat for several",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const keys = flags.list("key", keySchema);

    const tenants = await context.tenants();
    const result = await tenants.getPairConstraints(
      pairId,
      memberId,
      keys === undefined ? {} : { keys },
    );
    return {
      json: result,
      text: formatValues(result, "No shared preferences."),
    };
  },
};

const kick: Command = {
  words: ["pair", "kick"],
  summary: "Remove a member (owner only); their private preferences are erased",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the owner who removes" },
    "target-member-id": {
      type: "string",
      placeholder: "ID",
      required: true,
      description: "the member to remove",
    },
    reason: {
      type: "string",
      placeholder: "TEXT",
      description: "why, kept in the audit log until erasure, 1-500 characters",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const targetMemberId = flags.id("target-member-id");
    const reason = flags.text("reason", reasonSchema);

    const tenants = await context.tenants();
    const result = await tenants.kickMember(
      pairId,
      memberId,
      targetMemberId,
      reason === undefined ? {} : { reason },
    );
    return {
      json: result,
      text: `Removed ${result.memberId} from pair ${result.pairId}.`,
    };
  },
};

const leave: Command = {
  words: ["pair", "leave"],
  summary: "Leave a pair; private preferences are erased, shared writes stay",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the member who leaves" },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");

    const tenants = await context.tenants();
    const result = await tenants.leavePair(pairId, memberId);
    return {
      json: result,
      text: `${result.memberId} left pair ${result.pairId}.`,
    };
  },
};

const transfer: Command = {
  words: ["pair", "transfer"],
  summary: "Hand ownership to another active member",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...ACTOR, description: "the current owner" },
    "new-owner-id": {
      type: "string",
      placeholder: "ID",
      required: true,
      description: "the active member who becomes owner",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const newOwnerId = flags.id("new-owner-id");

    const tenants = await context.tenants();
    const result = await tenants.transferOwnership(
      pairId,
      memberId,
      newOwnerId,
    );
    const heading = `${newOwnerId} now owns pair ${pairId}.`;
    return { json: result, text: `${heading}\n${formatMembers(result)}` };
  },
};

/** The `pair` commands: creating, joining and managing membership. */
export const PAIR_COMMANDS: Command[] = [
  create,
  invite,
  invites,
  revokeInvite,
  accept,
  members,
  list,
  show,
  constraints,
  kick,
  leave,
  transfer,
];
