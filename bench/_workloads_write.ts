import type { CreatePairResult, TenantPair } from "../mod.ts";
import {
  type BenchCase,
  expect,
  openSqliteSubject,
  type SqliteSubject,
  type Synchronous,
  templateOf,
} from "./_harness.ts";
import type { Sizes } from "./_sizes.ts";

/** A subject with the pairs it was set up with. */
interface PairsState {
  subject: SqliteSubject;
  /** Pair ids by index; pair `p` is owned by `"owner-" + p`. */
  pairs: string[];
}

/**
 * Calls in the warm-up pass of a write workload. Every pass starts on a new
 * database, so a shorter warm-up changes nothing the timed runs see.
 */
const WRITE_WARMUP_CALLS = 1_000;

function warmupCalls(calls: number): number {
  return Math.min(calls, WRITE_WARMUP_CALLS);
}

function owner(index: number): string {
  return `owner-${index}`;
}

async function createPairs(
  tenants: TenantPair,
  count: number,
): Promise<CreatePairResult[]> {
  const created = [];
  for (let p = 0; p < count; p++) {
    created.push(await tenants.createPair({ creatorMemberId: owner(p) }));
  }
  return created;
}

async function openWithPairs(
  synchronous: Synchronous,
  count: number,
): Promise<PairsState> {
  const subject = await openSqliteSubject(synchronous);
  const created = await createPairs(subject.tenants, count);
  return { subject, pairs: created.map((pair) => pair.pairId) };
}

/** a: `createPair`, which also issues the pair's first invite. */
function createPairCase(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<PairsState> {
  return {
    id: "a",
    variant: `synchronous=${synchronous}`,
    operation: 'createPair({ creatorMemberId: "owner-" + i })',
    kind: "write",
    synchronous,
    calls: sizes.createPairs,
    warmupCalls: warmupCalls(sizes.createPairs),
    freshPerPass: true,
    prepare: async () => ({
      subject: await openSqliteSubject(synchronous),
      pairs: [],
    }),
    call: async (state, i) => {
      const result = await state.subject.tenants.createPair({
        creatorMemberId: owner(i),
      });
      state.pairs.push(result.pairId);
    },
    verify: async (state, calls) => {
      const { tenants } = state.subject;
      expect(new Set(state.pairs).size === calls, `${calls} distinct pairs`);
      for (const [i, pairId] of state.pairs.entries()) {
        const members = await tenants.listMembers(pairId);
        expect(
          members.length === 1 && members[0]?.memberId === owner(i) &&
            members[0].role === "owner",
          `pair ${i} has only its owner`,
        );
        const invites = await tenants.listInvites(pairId, owner(i));
        expect(invites.length === 1, `pair ${i} has 1 pending invite`);
      }
      return `${calls} pairs, each with 1 owner and 1 pending invite`;
    },
    dispose: (state) => state.subject.close(),
  };
}

interface AcceptState extends PairsState {
  tokens: string[];
}

/** b: accepting each pair's first invite once, by its token. */
function acceptInviteCase(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<AcceptState> {
  const template = templateOf(async (tenants) => {
    const created = await createPairs(tenants, sizes.acceptPairs);
    return {
      pairs: created.map((pair) => pair.pairId),
      tokens: created.map((pair) => pair.inviteToken),
    };
  });
  return {
    id: "b",
    variant: `synchronous=${synchronous}`,
    operation: 'acceptInvite({ inviteToken, memberId: "guest-" + i })',
    kind: "write",
    synchronous,
    calls: sizes.acceptPairs,
    warmupCalls: warmupCalls(sizes.acceptPairs),
    freshPerPass: true,
    prepare: async () => {
      const { subject, data } = await template.open(synchronous);
      return { subject, ...data };
    },
    call: (state, i) =>
      state.subject.tenants.acceptInvite({
        inviteToken: state.tokens[i] as string,
        memberId: `guest-${i}`,
      }),
    verify: async (state, calls) => {
      const { tenants } = state.subject;
      for (let i = 0; i < calls; i++) {
        const pairId = state.pairs[i] as string;
        const members = await tenants.listMembers(pairId);
        const ids = members.map((member) => member.memberId).sort();
        expect(
          ids.length === 2 && ids[0] === `guest-${i}` && ids[1] === owner(i),
          `pair ${i} has its owner and guest-${i}`,
        );
        const invites = await tenants.listInvites(pairId, owner(i));
        expect(invites.length === 0, `pair ${i} has no pending invite`);
      }
      return `${calls} pairs, each with 2 members and no pending invite`;
    },
    dispose: (state) => state.subject.close(),
    cleanup: () => template.remove(),
  };
}

/** Per pair and key: how many versions, and the last value's `n`. */
type Expected = Map<number, Map<string, { versions: number; last: number }>>;

function tally(expected: Expected, pair: number, key: string, n: number) {
  const keys = expected.get(pair) ?? new Map();
  const entry = keys.get(key) ?? { versions: 0, last: -1 };
  keys.set(key, { versions: entry.versions + 1, last: n });
  expected.set(pair, keys);
}

/** c: `setSharedState` spread over pairs and keys, 10 versions per key. */
function setSharedStateCase(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<PairsState> {
  const pairCount = sizes.writePairs;
  const keyOf = (i: number) => `key-${Math.floor(i / pairCount) % 10}`;
  return {
    id: "c",
    variant: `synchronous=${synchronous}`,
    operation:
      'setSharedState(pair[i % 100], owner, "key-" + (floor(i / 100) % 10), { n: i, text: "value-" + i })',
    kind: "write",
    synchronous,
    calls: sizes.sharedWrites,
    warmupCalls: warmupCalls(sizes.sharedWrites),
    freshPerPass: true,
    prepare: () => openWithPairs(synchronous, pairCount),
    call: (state, i) => {
      const p = i % pairCount;
      return state.subject.tenants.setSharedState(
        state.pairs[p] as string,
        owner(p),
        keyOf(i),
        { n: i, text: `value-${i}` },
      );
    },
    verify: async (state, calls) => {
      const expected: Expected = new Map();
      for (let i = 0; i < calls; i++) {
        tally(expected, i % pairCount, keyOf(i), i);
      }
      let keys = 0;
      let versions = 0;
      for (const [p, byKey] of expected) {
        const pairId = state.pairs[p] as string;
        const snapshot = await state.subject.tenants.getSharedState(pairId);
        const written = [...byKey.values()].reduce((s, e) => s + e.versions, 0);
        expect(snapshot.version === written, `pair ${p} revision ${written}`);
        expect(
          Object.keys(snapshot.state).length === byKey.size,
          `pair ${p} has ${byKey.size} keys`,
        );
        for (const [key, entry] of byKey) {
          const value = snapshot.state[key] as { n: number } | undefined;
          expect(value?.n === entry.last, `pair ${p} ${key} is the last write`);
          const history = await state.subject.tenants.getPairStateHistory(
            pairId,
            "default",
            key,
          );
          expect(
            history.length === entry.versions,
            `pair ${p} ${key} has ${entry.versions} versions`,
          );
          keys++;
          versions += history.length;
        }
      }
      return `${keys} keys with ${versions} versions in all, each key's current value the last written`;
    },
    dispose: (state) => state.subject.close(),
  };
}

/** e: a private preference write followed by a read of the member's preferences. */
function preferenceCase(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<PairsState> {
  const pairCount = sizes.preferencePairs;
  const pairOf = (i: number) => Math.floor(i / 10) % pairCount;
  return {
    id: "e",
    variant: `synchronous=${synchronous}`,
    operation:
      'setMemberPreference(pair[p], owner, "pref-" + (i % 10), { level: i, tags: ["a", "b"] }) + getMemberConstraints(pair[p], owner)',
    kind: "write",
    synchronous,
    calls: sizes.preferenceOps,
    warmupCalls: warmupCalls(sizes.preferenceOps),
    freshPerPass: true,
    prepare: () => openWithPairs(synchronous, pairCount),
    call: async (state, i) => {
      const p = pairOf(i);
      const pairId = state.pairs[p] as string;
      await state.subject.tenants.setMemberPreference(
        pairId,
        owner(p),
        `pref-${i % 10}`,
        { level: i, tags: ["a", "b"] },
      );
      return await state.subject.tenants.getMemberConstraints(pairId, owner(p));
    },
    verify: async (state, calls) => {
      const expected: Expected = new Map();
      for (let i = 0; i < calls; i++) {
        tally(expected, pairOf(i), `pref-${i % 10}`, i);
      }
      let versions = 0;
      for (const [p, byKey] of expected) {
        const pairId = state.pairs[p] as string;
        const values = await state.subject.tenants.getMemberConstraints(
          pairId,
          owner(p),
        );
        expect(
          Object.keys(values).length === byKey.size,
          `pair ${p} has ${byKey.size} preferences`,
        );
        for (const [key, entry] of byKey) {
          const value = values[key] as { level: number } | undefined;
          expect(
            value?.level === entry.last,
            `pair ${p} ${key} is the last write`,
          );
          const history = await state.subject.tenants
            .getMemberPreferenceHistory(pairId, owner(p), key);
          expect(
            history.length === entry.versions,
            `pair ${p} ${key} has ${entry.versions} versions`,
          );
          versions += history.length;
        }
      }
      return `${expected.size} members' preferences with ${versions} private versions, current values the last written`;
    },
    dispose: (state) => state.subject.close(),
  };
}

interface ConflictState extends PairsState {
  resolved: number;
}

/** g: listing and resolving (LWW) every conflict of a pair. */
function resolveConflictsCase(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<ConflictState> {
  const keys = sizes.conflictKeys;
  const candidates = sizes.conflictCandidates;
  const template = templateOf(async (tenants) => {
    const created = await createPairs(tenants, sizes.conflictPairs);
    for (const [p, { pairId }] of created.entries()) {
      for (let k = 0; k < keys; k++) {
        await tenants.setSharedState(pairId, owner(p), `key-${k}`, { c: -1 });
        for (let c = 0; c < candidates; c++) {
          // expectedVersion 0 is stale once the key exists: a candidate.
          await tenants.setSharedState(pairId, owner(p), `key-${k}`, { c }, {
            expectedVersion: 0,
          });
        }
      }
    }
    return created.map((pair) => pair.pairId);
  });
  return {
    id: "g",
    variant: `synchronous=${synchronous}`,
    operation:
      "listConflicts(pair) + resolveConflicts(pair) with LWW, 10 keys of 20 candidates each",
    kind: "write",
    synchronous,
    calls: sizes.conflictPairs,
    freshPerPass: true,
    facts: { keysPerPair: keys, candidatesPerKey: candidates },
    prepare: async () => {
      const { subject, data } = await template.open(synchronous);
      return { subject, pairs: data, resolved: 0 };
    },
    call: async (state, i) => {
      const pairId = state.pairs[i] as string;
      await state.subject.tenants.listConflicts(pairId);
      const result = await state.subject.tenants.resolveConflicts(pairId);
      state.resolved += result.resolved;
    },
    verify: async (state, calls) => {
      const { tenants } = state.subject;
      expect(state.resolved === calls * keys, `${calls * keys} keys resolved`);
      state.resolved = 0;
      for (let p = 0; p < calls; p++) {
        const pairId = state.pairs[p] as string;
        const left = await tenants.listConflicts(pairId);
        expect(left.length === 0, `pair ${p} has no pending conflict`);
        const snapshot = await tenants.getSharedState(pairId);
        expect(
          snapshot.version === 2 * keys && snapshot.conflicts === 0,
          `pair ${p} revision ${2 * keys} and no conflicts`,
        );
        const history = await tenants.getPairStateHistory(
          pairId,
          "default",
          "key-0",
        );
        const candidateRows = history.filter((row) => row.candidateId !== null);
        const won = candidateRows.filter((row) => row.resolution === "won");
        const lost = candidateRows.filter((row) => row.resolution === "lost");
        expect(
          won.length === 1 && lost.length === candidates - 1,
          `pair ${p} key-0 has 1 winning and ${
            candidates - 1
          } losing candidates`,
        );
      }
      return `${
        calls * keys
      } keys resolved over ${calls} pairs; each key at version 2 with 1 winning and ${
        candidates - 1
      } losing candidates`;
    },
    dispose: (state) => state.subject.close(),
    cleanup: () => template.remove(),
  };
}

/** Returns every write workload's case at one `synchronous` level. */
export function writeCases(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<unknown>[] {
  return [
    createPairCase(sizes, synchronous),
    acceptInviteCase(sizes, synchronous),
    setSharedStateCase(sizes, synchronous),
    preferenceCase(sizes, synchronous),
    resolveConflictsCase(sizes, synchronous),
  ];
}
