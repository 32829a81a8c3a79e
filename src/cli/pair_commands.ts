import {
  keySchema,
  maxMembersSchema,
  nameSchema,
  reasonSchema,
} from "../schemas.ts";
import type { PairRecord } from "../types.ts";
import type { Command } from "./command.ts";
import { ACTOR_FLAG, PAIR_ID_FLAG } from "./flag_specs.ts";
import {
  formatFields,
  formatMembers,
  formatTable,
  formatValues,
  showText,
} from "./format.ts";
import { formatInvite, INVITE_COMMANDS } from "./invite_commands.ts";

const PAIR_ID = PAIR_ID_FLAG;
const ACTOR = ACTOR_FLAG;

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
  ...INVITE_COMMANDS,
  members,
  list,
  show,
  constraints,
  kick,
  leave,
  transfer,
];
