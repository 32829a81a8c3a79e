import { z } from "zod";
import { booleanArgument, idArgument, integerArgument } from "./arguments.ts";
import { requireReader } from "./identity.ts";
import {
  eventOutput,
  forgetReportShape,
  memberExportShape,
} from "./outputs.ts";
import { defineTool, type Tool } from "./tool.ts";

const pairId = idArgument("The pair's id.");

/** Tools for the audit log and for a member's data rights (export, erasure). */
export const PRIVACY_TOOLS: readonly Tool[] = [
  defineTool({
    name: "export_member_data",
    title: "Export my data",
    description:
      "Returns everything stored about one member of a pair as JSON (GDPR Art. 15 and 20): membership, every version of their private preferences, the shared values they wrote, invites they sent or accepted, audit events about them and wrong short code attempts. A bound server exports only its own member; asking for another's is FORBIDDEN.",
    input: {
      pairId,
      memberId: idArgument(
        "The member to export. Leave out on a bound server, which allows only its own member.",
      ).optional(),
    },
    output: memberExportShape,
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.privateSubject(
        args.memberId,
        "memberId",
        "data export",
      );
      const data = await tenants.exportMemberData(args.pairId, member);
      return {
        summary:
          `Exported ${data.preferences.length} preference version(s), ${data.sharedWrites.length} shared write(s) and ${data.events.length} event(s) of "${member}".`,
        data,
      };
    },
  }),

  defineTool({
    name: "forget_member",
    title: "Erase me",
    description:
      "Erases a member from a pair for good (GDPR Art. 17): removes them if active, deletes every version of their private preferences, their display name and invite notes, and scrubs the bytes from disk. Shared values they wrote stay, attributed to their id, unless eraseSharedWrites is true. Cannot be undone. A bound server erases only its own member. Returns a report of what was erased.",
    input: {
      pairId,
      memberId: idArgument(
        "The member to erase. Leave out on a bound server, which allows only its own member.",
      ).optional(),
      eraseSharedWrites: booleanArgument(
        "Also replace every shared value the member wrote with a tombstone; default false.",
      ).optional(),
    },
    output: forgetReportShape,
    effect: "destructive",
    idempotent: false,
    async run(args, { tenants, identity, touch }) {
      const member = identity.privateSubject(
        args.memberId,
        "memberId",
        "data erasure",
      );
      const erase = args.eraseSharedWrites === true;
      const report = await tenants.forgetMember(args.pairId, member, {
        actorMemberId: member,
        eraseSharedWrites: erase,
      });
      touch(
        args.pairId,
        erase ? ["members", "events", "state"] : ["members", "events"],
      );
      return {
        summary:
          `Forgot member "${member}" in pair "${args.pairId}": ${report.privateVersionsErased} private version(s) erased${
            report.diskScrubbed ? ", disk scrubbed" : ""
          }.`,
        data: report,
      };
    },
  }),

  defineTool({
    name: "list_events",
    title: "Audit log",
    description:
      "Lists a pair's audit events oldest first: pair created, invites created, revoked and accepted, members leaving, removed or forgotten, ownership moves and conflict resolutions. Events never hold private values or secrets. Page with after (the last id seen) and limit; nextAfter is the cursor for the next page.",
    input: {
      pairId,
      after: integerArgument(
        0,
        Number.MAX_SAFE_INTEGER,
        "Only events with a larger id; default 0.",
      ).optional(),
      limit: integerArgument(1, 1000, "At most this many; default 100.")
        .optional(),
      memberId: idArgument(
        "The member asking; checked to be active. Leave out on a bound server.",
      ).optional(),
    },
    output: {
      events: z.array(eventOutput),
      nextAfter: z.number().int().nullable(),
    },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const reader = identity.optionalActor(args.memberId, "memberId");
      await requireReader(tenants, args.pairId, reader);
      const events = await tenants.listEvents(args.pairId, {
        ...(args.after === undefined ? {} : { after: args.after }),
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      });
      const last = events.at(-1);
      return {
        summary: `Pair "${args.pairId}" returned ${events.length} event(s).`,
        data: { events, nextAfter: last === undefined ? null : last.id },
      };
    },
  }),
];
