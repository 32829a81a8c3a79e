import { idSchema, keySchema } from "../schemas.ts";
import type { ForgetReport } from "../types.ts";
import type { Command, FlagSpec } from "./command.ts";
import {
  ACTOR_FLAG,
  KNOWN_AT_FLAG,
  PAIR_ID_FLAG,
  VALID_AT_FLAG,
  VALID_FROM_FLAG,
  VALUE_FLAG,
} from "./flag_specs.ts";
import { formatFields, formatValues } from "./format.ts";
import { formatTimeline } from "./timeline.ts";

const PAIR_ID = PAIR_ID_FLAG;

const MEMBER: FlagSpec = {
  ...ACTOR_FLAG,
  description: "the member whose preferences these are, also the acting member",
};

const KEY: FlagSpec = {
  type: "string",
  placeholder: "KEY",
  required: true,
  description: "the preference key, 1-128 printable characters",
};

/** Turns a camel-case field name into lower-case words. */
function fieldLabel(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

function show(value: unknown): string {
  if (value === true) return "yes";
  if (value === false) return "no";
  return String(value);
}

/**
 * Lists every field of an erasure report except the ids, so a field the
 * library adds shows up without a change here.
 */
function formatReport(report: ForgetReport): string {
  const fields = Object.entries(report)
    .filter(([name]) => name !== "pairId" && name !== "memberId")
    .map(([name, value]): [string, string] => [fieldLabel(name), show(value)]);
  return formatFields(fields);
}

const setPref: Command = {
  words: ["member", "set-pref"],
  summary: "Write a new version of a member's private preference",
  details: [
    "With --valid-from in the past the write corrects history: the value holds from that time until the next later version.",
  ],
  flags: {
    "pair-id": PAIR_ID,
    "member-id": MEMBER,
    key: KEY,
    value: VALUE_FLAG,
    "valid-from": VALID_FROM_FLAG,
    share: {
      type: "boolean",
      description:
        "let the value count in the pair's merged constraints, without saying whose",
    },
  },
  examples: [
    `member set-pref --pair-id P --member-id bob --key allergies --value '["peanuts"]' --share`,
    "member set-pref --pair-id P --member-id bob --key diet --value vegetarian",
  ],
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const key = flags.requiredText("key", keySchema);
    const value = flags.value("value", { hideKeys: true });
    const validFrom = flags.time("valid-from");
    const shareWithPair = flags.switch("share");

    const tenants = await context.tenants();
    const result = await tenants.setMemberPreference(
      pairId,
      memberId,
      key,
      value,
      { shareWithPair, ...(validFrom === undefined ? {} : { validFrom }) },
    );
    const text = `Set ${
      JSON.stringify(key)
    } for ${memberId}: version ${result.version}, valid from ${result.validFrom}.`;
    return { json: result, text };
  },
};

const constraints: Command = {
  words: ["member", "constraints"],
  summary: "Show one member's private preferences",
  flags: {
    "pair-id": PAIR_ID,
    "member-id": MEMBER,
    key: {
      type: "string",
      placeholder: "KEY",
      multiple: true,
      description: "only this key; repeat for several",
    },
    "valid-at": VALID_AT_FLAG,
    "known-at": KNOWN_AT_FLAG,
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const keys = flags.list("key", keySchema);
    const validAt = flags.time("valid-at");
    const knownAt = flags.time("known-at");

    const tenants = await context.tenants();
    const result = await tenants.getMemberConstraints(pairId, memberId, {
      ...(keys === undefined ? {} : { keys }),
      ...(validAt === undefined ? {} : { validAt }),
      ...(knownAt === undefined ? {} : { knownAt }),
    });
    return { json: result, text: formatValues(result, "No preferences.") };
  },
};

const history: Command = {
  words: ["member", "history"],
  summary: "Show every version of a private preference as a timeline",
  flags: { "pair-id": PAIR_ID, "member-id": MEMBER, key: KEY },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const key = flags.requiredText("key", keySchema);

    const tenants = await context.tenants();
    const result = await tenants.getMemberPreferenceHistory(
      pairId,
      memberId,
      key,
    );
    const title = `History of ${JSON.stringify(key)} for ${memberId}`;
    return { json: result, text: formatTimeline(title, result) };
  },
};

const exportData: Command = {
  words: ["member", "export"],
  summary: "Print every stored fact about a member as JSON (GDPR Art. 15/20)",
  details: ["The export is JSON with or without --json."],
  flags: { "pair-id": PAIR_ID, "member-id": MEMBER },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");

    const tenants = await context.tenants();
    const result = await tenants.exportMemberData(pairId, memberId);
    return { json: result, text: JSON.stringify(result, null, 2) };
  },
};

const forget: Command = {
  words: ["member", "forget"],
  summary: "Erase a member (GDPR Art. 17) and scrub the bytes from disk",
  details: [
    "Removes the member if active, deletes every version of their private preferences, their display names and the hints of invites to or from them. Shared values they wrote stay, attributed to their id, unless --erase-shared-writes replaces them with tombstones.",
  ],
  flags: {
    "pair-id": PAIR_ID,
    "member-id": { ...MEMBER, description: "the member to erase" },
    "erase-shared-writes": {
      type: "boolean",
      description:
        "also replace every shared value they wrote with a tombstone",
    },
    "requested-by": {
      type: "string",
      placeholder: "ID",
      description:
        "who asked for the erasure, a member or an operator id, for the audit log",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const eraseSharedWrites = flags.switch("erase-shared-writes");
    const actorMemberId = flags.text("requested-by", idSchema);

    const tenants = await context.tenants();
    const report = await tenants.forgetMember(pairId, memberId, {
      eraseSharedWrites,
      ...(actorMemberId === undefined ? {} : { actorMemberId }),
    });
    const text = `Forgot ${memberId} in pair ${pairId}.\n${
      formatReport(report)
    }`;
    return { json: report, text };
  },
};

/** The `member` commands: private preferences, export and erasure. */
export const MEMBER_COMMANDS: Command[] = [
  setPref,
  constraints,
  history,
  exportData,
  forget,
];
