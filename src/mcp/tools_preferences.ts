import { z } from "zod";
import {
  booleanArgument,
  idArgument,
  jsonArgument,
  keyArgument,
  keysArgument,
  timeArgument,
} from "./arguments.ts";
import { preferenceEntryOutput, valueMapOutput } from "./outputs.ts";
import { defineTool, type Tool } from "./tool.ts";

const pairId = idArgument("The pair's id.");
const ownMember = idArgument(
  "The member whose own preferences these are. Leave out on a bound server, which allows only its own member.",
).optional();

/** Tools for each member's private preferences and the pair's merged constraints. */
export const PREFERENCE_TOOLS: readonly Tool[] = [
  defineTool({
    name: "set_member_preferences",
    title: "Set a private preference",
    description:
      'Stores one of a member\'s private preferences, such as "allergies" or "diet", as a new version. Only that member can read it. With shareWithPair: true the value also counts in get_pair_constraints, merged with the others\' and without saying whose. Give validFrom in the past to correct history. Returns the new version and when it holds from.',
    input: {
      pairId,
      memberId: ownMember,
      key: keyArgument('The preference key, such as "allergies".'),
      value: jsonArgument("The value: any JSON, at most 64 KiB."),
      validFrom: timeArgument(
        "When the value starts to hold; default now. Earlier times correct the past.",
      ).optional(),
      shareWithPair: booleanArgument(
        "Let the value count, unattributed, in the pair's merged constraints; default false.",
      ).optional(),
    },
    output: {
      pairId: z.string(),
      memberId: z.string(),
      key: z.string(),
      version: z.number().int(),
      validFrom: z.string(),
      sharedWithPair: z.boolean(),
    },
    effect: "write",
    idempotent: false,
    async run(args, { tenants, identity }) {
      const member = identity.actor(args.memberId, "memberId");
      const shared = args.shareWithPair === true;
      const result = await tenants.setMemberPreference(
        args.pairId,
        member,
        args.key,
        args.value,
        {
          shareWithPair: shared,
          ...(args.validFrom === undefined
            ? {}
            : { validFrom: args.validFrom }),
        },
      );
      const scope = shared ? "shared with the pair" : "kept private";
      return {
        summary:
          `Stored preference "${args.key}" of "${member}" as version ${result.version}, ${scope}.`,
        data: {
          pairId: args.pairId,
          memberId: member,
          key: args.key,
          version: result.version,
          validFrom: result.validFrom,
          sharedWithPair: shared,
        },
      };
    },
  }),

  defineTool({
    name: "get_member_constraints",
    title: "Read my private preferences",
    description:
      "Reads one member's own private preferences (allergies, diet, budget and the like) as key-value pairs. A bound server returns only its own member's; asking for another member's is FORBIDDEN. Give validAt and knownAt to read an earlier state. For what the whole pair shares, use get_pair_constraints.",
    input: {
      pairId,
      memberId: ownMember,
      keys: keysArgument("Only these keys; default all.").optional(),
      validAt: timeArgument("Read the values that held at this time.")
        .optional(),
      knownAt: timeArgument("Read as the store knew it at this time.")
        .optional(),
    },
    output: {
      pairId: z.string(),
      memberId: z.string(),
      constraints: valueMapOutput,
    },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.privateSubject(
        args.memberId,
        "memberId",
        "private preferences",
      );
      const constraints = await tenants.getMemberConstraints(
        args.pairId,
        member,
        {
          ...(args.keys === undefined ? {} : { keys: args.keys }),
          ...(args.validAt === undefined ? {} : { validAt: args.validAt }),
          ...(args.knownAt === undefined ? {} : { knownAt: args.knownAt }),
        },
      );
      return {
        summary: `Member "${member}" has ${
          Object.keys(constraints).length
        } private preference(s) in pair "${args.pairId}".`,
        data: { pairId: args.pairId, memberId: member, constraints },
      };
    },
  }),

  defineTool({
    name: "get_pair_constraints",
    title: "Read the pair's shared constraints",
    description:
      "Merges the preferences every active member chose to share with the pair, per key and without saying whose: lists are joined, differing values listed. Use it to plan for everyone at once, such as every allergy at the table. Private preferences that were not shared never appear.",
    input: {
      pairId,
      keys: keysArgument("Only these keys; default all.").optional(),
      memberId: idArgument(
        "The active member asking. Leave out on a bound server.",
      ).optional(),
    },
    output: { pairId: z.string(), constraints: valueMapOutput },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const actor = identity.actor(args.memberId, "memberId");
      const constraints = await tenants.getPairConstraints(
        args.pairId,
        actor,
        args.keys === undefined ? {} : { keys: args.keys },
      );
      return {
        summary: `Pair "${args.pairId}" shares ${
          Object.keys(constraints).length
        } constraint key(s).`,
        data: { pairId: args.pairId, constraints },
      };
    },
  }),

  defineTool({
    name: "get_preference_history",
    title: "Private preference history",
    description:
      "Lists every version of one of a member's own private preferences, oldest first, with both time axes. A bound server returns only its own member's; asking for another member's is FORBIDDEN.",
    input: {
      pairId,
      key: keyArgument("The preference key."),
      memberId: ownMember,
    },
    output: { entries: z.array(preferenceEntryOutput) },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.privateSubject(
        args.memberId,
        "memberId",
        "preference history",
      );
      const entries = await tenants.getMemberPreferenceHistory(
        args.pairId,
        member,
        args.key,
      );
      return {
        summary:
          `Preference "${args.key}" of "${member}" has ${entries.length} version(s).`,
        data: { entries },
      };
    },
  }),
];
