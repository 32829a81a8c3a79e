import assert from "node:assert/strict";
import fc from "fast-check";
import { SqliteTenantStore, TenantPair } from "../mod.ts";
import type { JsonValue } from "../mod.ts";

/** One version as the reference model keeps it. */
interface ModelVersion {
  version: number;
  value: JsonValue;
  deleted: boolean;
  validFrom: number;
  recordedAt: number;
}

type Operation =
  | { kind: "set"; key: string; value: number; backdate: number | null }
  | { kind: "delete"; key: string }
  | { kind: "tick"; ms: number }
  | { kind: "read"; validOffset: number; knownOffset: number | null };

const BASE = Date.parse("2026-06-01T00:00:00.000Z");
const KEYS = ["a", "b", "c"];

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    key: fc.constantFrom(...KEYS),
    value: fc.integer({ min: -1000, max: 1000 }),
    backdate: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    key: fc.constantFrom(...KEYS),
  }),
  // Mostly forward, sometimes zero (same millisecond), sometimes backwards.
  fc.record({
    kind: fc.constant("tick" as const),
    ms: fc.integer({ min: -20_000, max: 30_000 }),
  }),
  fc.record({
    kind: fc.constant("read" as const),
    validOffset: fc.integer({ min: -60_000, max: 60_000 }),
    knownOffset: fc.option(fc.integer({ min: -60_000, max: 60_000 }), {
      nil: null,
    }),
  }),
);

/** Computes each key's value at (validAt, knownAt) straight from the definition. */
function modelRead(
  model: Map<string, ModelVersion[]>,
  validAt: number,
  knownAt: number,
): Record<string, JsonValue> {
  const state: Record<string, JsonValue> = {};
  for (const [key, versions] of model) {
    let best: ModelVersion | undefined;
    for (const v of versions) {
      if (v.recordedAt > knownAt || v.validFrom > validAt) continue;
      if (
        best === undefined || v.validFrom > best.validFrom ||
        (v.validFrom === best.validFrom && v.version > best.version)
      ) best = v;
    }
    if (best !== undefined && !best.deleted) state[key] = best.value;
  }
  return state;
}

/** Computes the end of a version's validity as known now. */
function modelValidTo(
  versions: ModelVersion[],
  v: ModelVersion,
): number | null {
  if (
    versions.some((w) => w.validFrom === v.validFrom && w.version > v.version)
  ) {
    return v.validFrom;
  }
  const later = versions.filter((w) => w.validFrom > v.validFrom).map((w) =>
    w.validFrom
  );
  return later.length === 0 ? null : Math.min(...later);
}

Deno.test("shared state agrees with a reference model", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(operation, { maxLength: 40 }),
      async (operations) => {
        let time = BASE;
        const store = new SqliteTenantStore();
        const tenants = new TenantPair({ store, now: () => new Date(time) });
        try {
          const pair = await tenants.createPair({ creatorMemberId: "alice" });
          const model = new Map<string, ModelVersion[]>();
          let revision = 0;

          for (const op of operations) {
            if (op.kind === "tick") {
              time += op.ms;
              continue;
            }
            if (op.kind === "read") {
              const validAt = time + op.validOffset;
              const knownAt = op.knownOffset === null
                ? undefined
                : time + op.knownOffset;
              const snapshot = await tenants.getSharedState(pair.pairId, {
                validAt: new Date(validAt),
                ...(knownAt === undefined
                  ? {}
                  : { knownAt: new Date(knownAt) }),
              });
              assert.deepEqual(
                snapshot.state,
                modelRead(model, validAt, knownAt ?? Number.MAX_SAFE_INTEGER),
              );
              assert.equal(snapshot.version, revision);
              continue;
            }
            const versions = model.get(op.key) ?? [];
            const last = versions.at(-1);
            const recordedAt = Math.max(time, last?.recordedAt ?? time);
            if (op.kind === "set") {
              const validFrom = op.backdate === null
                ? undefined
                : new Date(time - op.backdate);
              const result = await tenants.setSharedState(
                pair.pairId,
                "alice",
                op.key,
                op.value,
                {
                  ...(validFrom === undefined ? {} : { validFrom }),
                },
              );
              assert.equal(result.version, versions.length + 1);
              versions.push({
                version: result.version,
                value: op.value,
                deleted: false,
                validFrom: validFrom?.getTime() ?? recordedAt,
                recordedAt,
              });
            } else {
              const result = await tenants.deleteSharedState(
                pair.pairId,
                "alice",
                op.key,
              );
              assert.equal(result.version, versions.length + 1);
              versions.push({
                version: result.version,
                value: null,
                deleted: true,
                validFrom: recordedAt,
                recordedAt,
              });
            }
            revision++;
            model.set(op.key, versions);
          }

          for (const [key, versions] of model) {
            const history = await tenants.getPairStateHistory(
              pair.pairId,
              "default",
              key,
            );
            assert.deepEqual(
              history.map((
                h,
              ) => [
                h.version,
                h.value,
                h.deleted,
                Date.parse(h.validFrom),
                Date.parse(h.recordedAt),
              ]),
              versions.map((
                v,
              ) => [v.version, v.value, v.deleted, v.validFrom, v.recordedAt]),
            );
            for (const [i, entry] of history.entries()) {
              const expected = modelValidTo(
                versions,
                versions[i] as ModelVersion,
              );
              assert.equal(
                entry.validTo === null ? null : Date.parse(entry.validTo),
                expected,
              );
              if (entry.supersededAt !== null) {
                assert.ok(entry.supersededAt >= entry.recordedAt);
              }
            }
          }
          assert.deepEqual(
            (await tenants.getSharedState(pair.pairId, {
              validAt: new Date(time),
            })).state,
            modelRead(model, time, Number.MAX_SAFE_INTEGER),
          );
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns: 150 },
  );
});
