import { z } from "zod";
import { ManualResolver } from "../resolvers/manual.ts";
import { LWWResolver } from "../resolvers/lww.ts";
import type { ConflictResolver } from "../resolvers/resolver.ts";
import {
  idArgument,
  integerArgument,
  jsonArgument,
  keyArgument,
  timeArgument,
} from "./arguments.ts";
import { requireReader } from "./identity.ts";
import {
  conflictOutput,
  openObject,
  stateEntryOutput,
  valueMapOutput,
} from "./outputs.ts";
import { defineTool, type Tool } from "./tool.ts";

const pairId = idArgument("The pair's id.");
const namespace = idArgument(
  'The namespace, such as "meals" or "groceries"; default "default".',
).optional();
const reader = idArgument(
  "The member asking; checked to be active. Leave out on a bound server.",
).optional();
const writer = idArgument(
  "The active member who writes. Leave out on a bound server.",
).optional();
const expectedVersion = integerArgument(
  0,
  Number.MAX_SAFE_INTEGER,
  "The key's version when the caller last read it; 0 means the key must not exist yet. A stale version records the write as a conflict instead of overwriting.",
).optional();

function optional<K extends string, V>(
  name: K,
  value: V | undefined,
): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

/** Picks the resolver a strategy names; `undefined` keeps the service default. */
function resolverFor(
  strategy: "lww" | "manual" | undefined,
): ConflictResolver | undefined {
  if (strategy === "manual") return new ManualResolver();
  if (strategy === "lww") return new LWWResolver();
  return undefined;
}

/** Tools for the pair's shared, versioned state and its conflicts. */
export const STATE_TOOLS: readonly Tool[] = [
  defineTool({
    name: "get_shared_state",
    title: "Read shared state",
    description:
      "Reads a namespace of the pair's shared state: every key's current value, the namespace revision and how many keys have unresolved conflicts. Give validAt to read what held at another time, and knownAt to read what the pair knew then, before later corrections. The revision counts changes to the whole namespace; versions maps each key to the version of the value read, which is what to pass as expectedVersion to set_shared_state.",
    input: {
      pairId,
      namespace,
      validAt: timeArgument(
        "Read the values that held at this time; default now.",
      ).optional(),
      knownAt: timeArgument(
        "Read as the store knew it at this time; default now.",
      ).optional(),
      memberId: reader,
    },
    output: {
      namespace: z.string(),
      state: valueMapOutput,
      versions: z.record(z.string(), z.number().int()),
      version: z.number().int(),
      conflicts: z.number().int(),
    },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.optionalActor(args.memberId, "memberId");
      await requireReader(tenants, args.pairId, member);
      const snapshot = await tenants.getSharedState(args.pairId, {
        ...optional("namespace", args.namespace),
        ...optional("validAt", args.validAt),
        ...optional("knownAt", args.knownAt),
      });
      const keys = Object.keys(snapshot.state).length;
      return {
        summary:
          `Namespace "${snapshot.namespace}" of pair "${args.pairId}" has ${keys} key(s) at revision ${snapshot.version}, ${snapshot.conflicts} in conflict.`,
        data: snapshot,
      };
    },
  }),

  defineTool({
    name: "set_shared_state",
    title: "Write shared state",
    description:
      "Writes a value to a key of the pair's shared state as its next version; every member sees it and history keeps the old ones. Pass expectedVersion (the key's version you last read) to avoid overwriting someone else's change: if the key moved on, the write is kept as a pending conflict (conflict: true) for resolve_conflicts. Give validFrom in the past to correct history. Returns the version, whether it became a conflict, and the candidate id.",
    input: {
      pairId,
      memberId: writer,
      namespace,
      key: keyArgument('The key, such as "dinner".'),
      value: jsonArgument("The value: any JSON, at most 64 KiB."),
      expectedVersion,
      validFrom: timeArgument(
        "When the value starts to hold in the world; default now. Earlier times correct the past.",
      ).optional(),
    },
    output: {
      version: z.number().int(),
      conflict: z.boolean(),
      candidateId: z.string().nullable(),
      namespace: z.string(),
      key: z.string(),
      validFrom: z.string(),
    },
    effect: "write",
    idempotent: false,
    async run(args, { tenants, identity }) {
      const member = identity.actor(args.memberId, "memberId");
      const result = await tenants.setSharedState(
        args.pairId,
        member,
        args.key,
        args.value,
        {
          ...optional("namespace", args.namespace),
          ...optional("expectedVersion", args.expectedVersion),
          ...optional("validFrom", args.validFrom),
        },
      );
      const summary = result.conflict
        ? `Key "${result.key}" moved on to version ${result.version}, so the write was kept as pending conflict "${result.candidateId}"; call resolve_conflicts.`
        : `Wrote key "${result.key}" in namespace "${result.namespace}" as version ${result.version}.`;
      return { summary, data: result };
    },
  }),

  defineTool({
    name: "delete_shared_state",
    title: "Delete shared state",
    description:
      "Deletes a key of the pair's shared state by writing a tombstone version; history keeps the earlier values. With expectedVersion the delete fails with VERSION_CONFLICT if the key changed since it was read. Returns the tombstone's version.",
    input: {
      pairId,
      key: keyArgument("The key to delete."),
      namespace,
      expectedVersion,
      memberId: writer,
    },
    output: {
      version: z.number().int(),
      namespace: z.string(),
      key: z.string(),
    },
    effect: "destructive",
    idempotent: false,
    async run(args, { tenants, identity }) {
      const member = identity.actor(args.memberId, "memberId");
      const result = await tenants.deleteSharedState(
        args.pairId,
        member,
        args.key,
        {
          ...optional("namespace", args.namespace),
          ...optional("expectedVersion", args.expectedVersion),
        },
      );
      return {
        summary:
          `Deleted key "${result.key}" in namespace "${result.namespace}" as version ${result.version}.`,
        data: result,
      };
    },
  }),

  defineTool({
    name: "get_state_history",
    title: "Shared state history",
    description:
      "Lists every version of one shared key, and any conflict candidates, oldest first, with who wrote each, when it held (validFrom, validTo) and when the pair learned and replaced it (recordedAt, supersededAt). Use it to see how a value changed or was corrected.",
    input: {
      pairId,
      key: keyArgument("The key."),
      namespace,
      memberId: reader,
    },
    output: { entries: z.array(stateEntryOutput) },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.optionalActor(args.memberId, "memberId");
      await requireReader(tenants, args.pairId, member);
      const entries = await tenants.getPairStateHistory(
        args.pairId,
        args.namespace ?? "default",
        args.key,
      );
      return {
        summary: `Key "${args.key}" has ${entries.length} history entr${
          entries.length === 1 ? "y" : "ies"
        }.`,
        data: { entries },
      };
    },
  }),

  defineTool({
    name: "list_conflicts",
    title: "List conflicts",
    description:
      "Lists shared keys with pending conflicts: writes that arrived with a stale expectedVersion. Each shows the current value and the competing candidates with their authors. Use it before resolve_conflicts or to ask people which value they want.",
    input: { pairId, namespace, memberId: reader },
    output: { conflicts: z.array(conflictOutput) },
    effect: "read",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.optionalActor(args.memberId, "memberId");
      await requireReader(tenants, args.pairId, member);
      const conflicts = await tenants.listConflicts(
        args.pairId,
        optional("namespace", args.namespace),
      );
      return {
        summary:
          `Pair "${args.pairId}" has ${conflicts.length} key(s) in conflict.`,
        data: { conflicts },
      };
    },
  }),

  defineTool({
    name: "resolve_conflicts",
    title: "Resolve conflicts",
    description:
      'Settles pending conflicts. Strategy "lww" (default) makes the value with the latest valid time the key\'s next version and marks the others lost; "manual" changes nothing and leaves them pending for a person. Returns how many keys were resolved and remain, and each winner.',
    input: {
      pairId,
      namespace,
      strategy: z.enum(["lww", "manual"], {
        error: 'must be "lww" or "manual"',
      }).describe('How to pick winners: "lww" (default) or "manual".')
        .optional(),
      memberId: idArgument(
        "The active member resolving. Leave out on a bound server.",
      ).optional(),
    },
    output: {
      resolved: z.number().int(),
      remaining: z.number().int(),
      resolutions: z.array(openObject({
        namespace: z.string(),
        key: z.string(),
        winnerVersion: z.number().int(),
        winner: z.string(),
      })),
    },
    effect: "destructive",
    idempotent: true,
    async run(args, { tenants, identity }) {
      const member = identity.optionalActor(args.memberId, "memberId");
      await requireReader(tenants, args.pairId, member);
      const result = await tenants.resolveConflicts(args.pairId, {
        ...optional("namespace", args.namespace),
        ...optional("resolver", resolverFor(args.strategy)),
      });
      return {
        summary:
          `Resolved ${result.resolved} key(s); ${result.remaining} still in conflict.`,
        data: result,
      };
    },
  }),
];
