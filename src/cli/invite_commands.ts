import {
  hintSchema,
  nameSchema,
  shortCodeSchema,
  tokenSchema,
  ttlSchema,
} from "../schemas.ts";
import type { InviteRecord, InviteResult } from "../types.ts";
import type { Command } from "./command.ts";
import { ACTOR_FLAG, PAIR_ID_FLAG } from "./flag_specs.ts";
import {
  formatFields,
  formatMembers,
  formatTable,
  showText,
} from "./format.ts";

const PAIR_ID = PAIR_ID_FLAG;
const ACTOR = ACTOR_FLAG;

const SECRET_NOTE =
  "The token and the short code are shown only now. Share one of them with the person you invite; either works once.";

/** Shows a new invite with its secrets, which are printed only this once. */
export function formatInvite(
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
/** The invite commands of the `pair` group. */
export const INVITE_COMMANDS: Command[] = [
  invite,
  invites,
  revokeInvite,
  accept,
];
