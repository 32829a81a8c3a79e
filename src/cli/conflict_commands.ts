import { TenantPairError } from "../errors.ts";
import { LWWResolver } from "../resolvers/lww.ts";
import { ManualResolver } from "../resolvers/manual.ts";
import type { ConflictResolver } from "../resolvers/resolver.ts";
import { afterSchema, keySchema, limitSchema } from "../schemas.ts";
import { DEFAULT_NAMESPACE } from "../service_state.ts";
import type {
  Conflict,
  EventRecord,
  ResolveConflictsResult,
} from "../types.ts";
import { type Command, PROGRAM } from "./command.ts";
import { NAMESPACE_FLAG, PAIR_ID_FLAG } from "./flag_specs.ts";
import type { Flags } from "./flags.ts";
import { formatTable, plural, showText, showValue } from "./format.ts";

function conflictRows(conflict: Conflict): string[][] {
  const { current } = conflict;
  const rows = [[
    conflict.namespace,
    conflict.key,
    "current",
    String(current.version),
    current.writtenByMemberId,
    current.validFrom,
    current.recordedAt,
    current.deleted ? "(deleted)" : showValue(current.value),
  ]];
  for (const candidate of conflict.candidates) {
    rows.push([
      conflict.namespace,
      conflict.key,
      candidate.candidateId,
      `expected ${candidate.expectedVersion}`,
      candidate.writtenByMemberId,
      candidate.validFrom,
      candidate.recordedAt,
      showValue(candidate.value),
    ]);
  }
  return rows;
}

function formatConflicts(conflicts: readonly Conflict[], pairId: string) {
  if (conflicts.length === 0) return "No pending conflicts.";
  const candidates = conflicts.reduce(
    (sum, conflict) => sum + conflict.candidates.length,
    0,
  );
  const heading = `${plural(candidates, "pending candidate")} on ${
    plural(conflicts.length, "key")
  }. Pick a winner with: ${PROGRAM} conflict resolve --pair-id ${pairId} --key KEY --winner CHOICE`;
  const table = formatTable(
    [
      "NAMESPACE",
      "KEY",
      "CHOICE",
      "VERSION",
      "BY",
      "VALID FROM",
      "RECORDED AT",
      "VALUE",
    ],
    conflicts.flatMap(conflictRows),
  );
  return `${heading}\n${table}`;
}

function formatResolution(result: ResolveConflictsResult): string {
  const lines = [
    `Resolved ${plural(result.resolved, "key")}; ${
      plural(result.remaining, "key")
    } still pending.`,
  ];
  for (const resolution of result.resolutions) {
    lines.push(
      `${JSON.stringify(resolution.key)} in namespace ${
        JSON.stringify(resolution.namespace)
      }: ${resolution.winner} won, now version ${resolution.winnerVersion}`,
    );
  }
  return lines.join("\n");
}

/** Limits a resolver's decisions to one key. */
function onlyKey(resolver: ConflictResolver, key: string): ConflictResolver {
  return {
    name: resolver.name,
    async resolve(conflicts) {
      const own = conflicts.filter((conflict) => conflict.key === key);
      return await resolver.resolve(own);
    },
  };
}

/** Creates a resolver that makes `winner` win the one key it is given. */
function chosenWinner(winner: string): ConflictResolver {
  return {
    name: "cli-choice",
    resolve: (conflicts) =>
      conflicts.map((conflict) => ({
        namespace: conflict.namespace,
        key: conflict.key,
        winner,
      })),
  };
}

/** Picks the resolver from `--strategy` and `--winner`. */
function pickResolver(flags: Flags): ConflictResolver {
  const strategy = flags.string("strategy");
  // "current" passes the id rule too, so one check covers both choices.
  const winner = flags.optionalId("winner");
  if (strategy !== undefined && strategy !== "lww" && strategy !== "manual") {
    flags.fail(
      `Invalid --strategy: must be lww or manual; got ${
        JSON.stringify(strategy.slice(0, 100))
      }`,
    );
  }
  if (winner === undefined) {
    return strategy === "manual" ? new ManualResolver() : new LWWResolver();
  }
  if (strategy === "lww") {
    flags.fail("Give --winner only with --strategy manual, or without one");
  }
  if (!flags.has("key")) flags.fail("Give --key with --winner");
  return chosenWinner(winner);
}

const list: Command = {
  words: ["conflict", "list"],
  summary: "List keys with pending conflict candidates",
  flags: { "pair-id": PAIR_ID_FLAG, namespace: NAMESPACE_FLAG },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const namespace = flags.optionalId("namespace");

    const tenants = await context.tenants();
    const result = await tenants.listConflicts(
      pairId,
      namespace === undefined ? {} : { namespace },
    );
    return { json: result, text: formatConflicts(result, pairId) };
  },
};

const resolve: Command = {
  words: ["conflict", "resolve"],
  summary: "Settle pending conflicts: last writer wins, or pick a winner",
  details: [
    "lww makes the value with the latest valid time win, the later write on a tie. manual leaves every conflict pending, unless --key and --winner pick the winner of one key: a candidate id from conflict list, or current to keep the current value.",
  ],
  flags: {
    "pair-id": PAIR_ID_FLAG,
    namespace: {
      ...NAMESPACE_FLAG,
      description:
        'only this namespace; default every namespace, or "default" with --key',
    },
    strategy: {
      type: "string",
      placeholder: "lww|manual",
      description: "how to pick winners; default lww",
    },
    key: {
      type: "string",
      placeholder: "KEY",
      description: "only this key",
    },
    winner: {
      type: "string",
      placeholder: "CHOICE",
      description:
        "the winner for --key: a candidate id, or current; implies --strategy manual",
    },
  },
  examples: [
    "conflict resolve --pair-id P",
    "conflict resolve --pair-id P --key dinner --winner cand-66y75756y211v6h3c2g0",
  ],
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const key = flags.text("key", keySchema);
    const resolver = pickResolver(flags);
    const namespace = flags.optionalId("namespace");

    const tenants = await context.tenants();
    if (key === undefined) {
      const result = await tenants.resolveConflicts(pairId, {
        resolver,
        ...(namespace === undefined ? {} : { namespace }),
      });
      return { json: result, text: formatResolution(result) };
    }
    const scope = { namespace: namespace ?? DEFAULT_NAMESPACE };
    const pending = await tenants.listConflicts(pairId, scope);
    if (!pending.some((conflict) => conflict.key === key)) {
      throw new TenantPairError(
        "CONFLICT_NOT_FOUND",
        `Cannot resolve ${JSON.stringify(key)} in namespace ${
          JSON.stringify(scope.namespace)
        }: it has no pending conflict; see ${PROGRAM} conflict list --pair-id ${pairId}`,
        { details: { namespace: scope.namespace, key } },
      );
    }
    const result = await tenants.resolveConflicts(pairId, {
      ...scope,
      resolver: onlyKey(resolver, key),
    });
    return { json: result, text: formatResolution(result) };
  },
};

function formatEvents(events: readonly EventRecord[]): string {
  if (events.length === 0) return "No events.";
  return formatTable(
    ["ID", "AT", "TYPE", "ACTOR", "SUBJECT", "DATA"],
    events.map((event) => [
      String(event.id),
      event.at,
      event.type,
      showText(event.actorMemberId),
      showText(event.subjectMemberId),
      Object.keys(event.data).length === 0 ? "" : showValue(event.data),
    ]),
  );
}

const events: Command = {
  words: ["events"],
  summary: "List a pair's audit events, oldest first",
  details: [
    "Events never contain private values, tokens or short codes. Page with --after set to the last id shown.",
  ],
  flags: {
    "pair-id": PAIR_ID_FLAG,
    after: {
      type: "string",
      placeholder: "ID",
      description: "only events with an id greater than this; default 0",
    },
    limit: {
      type: "string",
      placeholder: "N",
      description: "at most this many events, 1-1000; default 100",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const after = flags.integer("after", afterSchema);
    const limit = flags.integer("limit", limitSchema);

    const tenants = await context.tenants();
    const result = await tenants.listEvents(pairId, {
      ...(after === undefined ? {} : { after }),
      ...(limit === undefined ? {} : { limit }),
    });
    return { json: result, text: formatEvents(result) };
  },
};

/** The `conflict` commands and `events`. */
export const CONFLICT_COMMANDS: Command[] = [list, resolve, events];
