import { expectedVersionSchema, idSchema, keySchema } from "../schemas.ts";
import { DEFAULT_NAMESPACE } from "../service_state.ts";
import type { SetSharedStateResult } from "../types.ts";
import { type Command, type FlagSpec, PROGRAM } from "./command.ts";
import {
  ACTOR_FLAG,
  KNOWN_AT_FLAG,
  NAMESPACE_FLAG,
  PAIR_ID_FLAG,
  VALID_AT_FLAG,
  VALID_FROM_FLAG,
  VALUE_FLAG,
} from "./flag_specs.ts";
import { formatValues, plural } from "./format.ts";
import { formatTimeline } from "./timeline.ts";

const KEY: FlagSpec = {
  type: "string",
  placeholder: "KEY",
  required: true,
  description: "the shared key, 1-128 printable characters",
};

const EXPECTED_VERSION: FlagSpec = {
  type: "string",
  placeholder: "N",
  description:
    "the key's version you last read; 0 means the key must not exist yet; default overwrite whatever is there",
};

function describeWrite(result: SetSharedStateResult, pairId: string): string {
  const where = `${JSON.stringify(result.key)} in namespace ${
    JSON.stringify(result.namespace)
  }`;
  if (!result.conflict) {
    return `Set ${where}: version ${result.version}, valid from ${result.validFrom}.`;
  }
  return [
    `Kept the write to ${where} as pending conflict candidate ${result.candidateId}: the key moved on to version ${result.version}.`,
    `Settle it with: ${PROGRAM} conflict resolve --pair-id ${pairId}`,
  ].join("\n");
}

const get: Command = {
  words: ["state", "get"],
  summary: "Show a namespace of shared state, now or as of a time",
  flags: {
    "pair-id": PAIR_ID_FLAG,
    namespace: NAMESPACE_FLAG,
    "valid-at": VALID_AT_FLAG,
    "known-at": KNOWN_AT_FLAG,
  },
  examples: [
    "state get --pair-id P",
    "state get --pair-id P --valid-at 2026-03-01T12:00:00Z --json",
  ],
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const namespace = flags.optionalId("namespace");
    const validAt = flags.time("valid-at");
    const knownAt = flags.time("known-at");

    const tenants = await context.tenants();
    const snapshot = await tenants.getSharedState(pairId, {
      ...(namespace === undefined ? {} : { namespace }),
      ...(validAt === undefined ? {} : { validAt }),
      ...(knownAt === undefined ? {} : { knownAt }),
    });
    const heading = `Namespace ${
      JSON.stringify(snapshot.namespace)
    }: revision ${snapshot.version}, ${
      plural(snapshot.conflicts, "key")
    } in conflict.`;
    const table = formatValues(snapshot.state, "No keys.");
    return { json: snapshot, text: `${heading}\n${table}` };
  },
};

const set: Command = {
  words: ["state", "set"],
  summary: "Write a shared value as the key's next version",
  details: [
    "With --expected-version and a key that has moved past it, nothing is overwritten: the write is kept as a pending conflict candidate for conflict resolve, and the command still succeeds.",
  ],
  flags: {
    "pair-id": PAIR_ID_FLAG,
    "member-id": { ...ACTOR_FLAG, description: "the active member who writes" },
    key: KEY,
    value: VALUE_FLAG,
    namespace: NAMESPACE_FLAG,
    "expected-version": EXPECTED_VERSION,
    "valid-from": VALID_FROM_FLAG,
  },
  examples: [
    "state set --pair-id P --member-id alice --key dinner --value risotto",
    `state set --pair-id P --member-id bob --key menu --value '{"mains":"pasta"}' --expected-version 3`,
  ],
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const key = flags.requiredText("key", keySchema);
    const value = flags.value("value");
    const namespace = flags.optionalId("namespace");
    const expectedVersion = flags.integer(
      "expected-version",
      expectedVersionSchema,
    );
    const validFrom = flags.time("valid-from");

    const tenants = await context.tenants();
    const result = await tenants.setSharedState(pairId, memberId, key, value, {
      ...(namespace === undefined ? {} : { namespace }),
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
      ...(validFrom === undefined ? {} : { validFrom }),
    });
    return { json: result, text: describeWrite(result, pairId) };
  },
};

const remove: Command = {
  words: ["state", "delete"],
  summary: "Delete a shared key by writing a tombstone; history keeps the rest",
  flags: {
    "pair-id": PAIR_ID_FLAG,
    "member-id": {
      ...ACTOR_FLAG,
      description: "the active member who deletes",
    },
    key: KEY,
    namespace: NAMESPACE_FLAG,
    "expected-version": {
      ...EXPECTED_VERSION,
      description:
        "the key's version you last read; a different version fails with VERSION_CONFLICT",
    },
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const memberId = flags.id("member-id");
    const key = flags.requiredText("key", keySchema);
    const namespace = flags.optionalId("namespace");
    const expectedVersion = flags.integer(
      "expected-version",
      expectedVersionSchema,
    );

    const tenants = await context.tenants();
    const result = await tenants.deleteSharedState(pairId, memberId, key, {
      ...(namespace === undefined ? {} : { namespace }),
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    });
    const text = `Deleted ${JSON.stringify(result.key)} in namespace ${
      JSON.stringify(result.namespace)
    }: tombstone version ${result.version}.`;
    return { json: result, text };
  },
};

const history: Command = {
  words: ["state", "history"],
  summary: "Show every version and pending candidate of a key as a timeline",
  flags: {
    "pair-id": PAIR_ID_FLAG,
    key: KEY,
    namespace: NAMESPACE_FLAG,
  },
  async run(flags, context) {
    const pairId = flags.id("pair-id");
    const key = flags.requiredText("key", keySchema);
    const namespace = flags.text("namespace", idSchema) ??
      DEFAULT_NAMESPACE;

    const tenants = await context.tenants();
    const result = await tenants.getPairStateHistory(pairId, namespace, key);
    const title = `History of ${JSON.stringify(key)} in namespace ${
      JSON.stringify(namespace)
    }`;
    return { json: result, text: formatTimeline(title, result) };
  },
};

/** The `state` commands: bi-temporal shared state. */
export const STATE_COMMANDS: Command[] = [get, set, remove, history];
