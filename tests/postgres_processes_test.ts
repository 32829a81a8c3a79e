import assert from "node:assert/strict";
import { PostgresTenantStore, TenantPair } from "../mod.ts";
import type { StateChange } from "../mod.ts";
import { createTestSchema, POSTGRES_IGNORE } from "./support/postgres.ts";
import { type Outcome, runWorkers } from "./support/postgres_worker.ts";

const PG_TEST = {
  ignore: POSTGRES_IGNORE,
  sanitizeOps: false,
  sanitizeResources: false,
};

/** Opens a service on a fresh schema and returns it with its cleanup. */
async function openService(): Promise<{
  url: string;
  schema: string;
  tenants: TenantPair;
  cleanup(): Promise<void>;
}> {
  const { url, schema, drop } = await createTestSchema();
  const store = new PostgresTenantStore({ url }, { schema });
  await store.open();
  return {
    url,
    schema,
    tenants: new TenantPair({ store }),
    cleanup: async () => {
      await store.close();
      await drop();
    },
  };
}

Deno.test({
  name: "setSharedState() from 4 processes numbers 1000 versions without gaps",
  ...PG_TEST,
  async fn() {
    const { url, schema, tenants, cleanup } = await openService();
    try {
      const pair = await tenants.createPair({ creatorMemberId: "m0" });
      for (const memberId of ["m1", "m2", "m3"]) {
        const invite = await tenants.inviteMember({
          pairId: pair.pairId,
          inviterMemberId: "m0",
        });
        await tenants.acceptInvite({
          inviteToken: invite.inviteToken,
          memberId,
        });
      }

      const results = await runWorkers(
        url,
        schema,
        ["m0", "m1", "m2", "m3"].map((memberId) => ({
          kind: "write-many",
          pairId: pair.pairId,
          memberId,
          key: "counter",
          count: 250,
        })),
      ) as number[][];

      for (const versions of results) {
        assert.equal(versions.length, 250);
        const ascending = versions.every((v, i) =>
          i === 0 || v > versions[i - 1]!
        );
        assert.ok(ascending, "each process sees its versions grow");
      }
      const all = results.flat().sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i + 1));

      const history = await tenants.getPairStateHistory(
        pair.pairId,
        "default",
        "counter",
      );
      assert.deepEqual(
        history.map((entry) => entry.version),
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
      const open = history.filter((entry) => entry.validTo === null);
      assert.deepEqual(open.map((entry) => entry.version), [1000]);
      const snapshot = await tenants.getSharedState(pair.pairId);
      assert.equal(snapshot.version, 1000);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "acceptInvite() 20 times at once from 4 processes admits one member",
  ...PG_TEST,
  async fn() {
    const { url, schema, tenants, cleanup } = await openService();
    try {
      const pair = await tenants.createPair({ creatorMemberId: "owner" });
      const jobs = [0, 1, 2, 3].map((process) => ({
        kind: "accept" as const,
        inviteToken: pair.inviteToken,
        memberIds: [0, 1, 2, 3, 4].map((i) => `joiner-${process}-${i}`),
      }));

      const results = (await runWorkers(url, schema, jobs)) as Outcome[][];

      const outcomes = results.flat();
      assert.equal(outcomes.length, 20);
      const joined = outcomes.filter((outcome) => "ok" in outcome);
      assert.equal(joined.length, 1);
      const refused = outcomes.filter((outcome) => "error" in outcome);
      assert.deepEqual(
        [
          ...new Set(
            refused.map((outcome) => (outcome as { error: string }).error),
          ),
        ],
        ["INVITE_ALREADY_ACCEPTED"],
      );
      const members = await tenants.listMembers(pair.pairId);
      assert.equal(members.length, 2);
      const events = await tenants.listEvents(pair.pairId);
      const accepted = events.filter((e) => e.type === "invite.accepted");
      assert.equal(accepted.length, 1);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "acceptInvite() by one short code from 4 processes admits one member",
  ...PG_TEST,
  async fn() {
    const { url, schema, tenants, cleanup } = await openService();
    try {
      const pair = await tenants.createPair({ creatorMemberId: "owner" });
      const jobs = [0, 1, 2, 3].map((process) => ({
        kind: "accept-code" as const,
        shortCode: pair.shortCode,
        memberIds: [0, 1, 2, 3, 4].map((i) => `joiner-${process}-${i}`),
      }));

      const results = (await runWorkers(url, schema, jobs)) as Outcome[][];

      const outcomes = results.flat();
      const joined = outcomes.filter((outcome) => "ok" in outcome);
      assert.equal(joined.length, 1);
      const codes = new Set(
        outcomes.flatMap((outcome) =>
          "error" in outcome ? [outcome.error] : []
        ),
      );
      assert.deepEqual([...codes], ["INVITE_NOT_FOUND"]);
      const members = await tenants.listMembers(pair.pairId);
      assert.equal(members.length, 2);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "subscribe() hears a write made by another process",
  ...PG_TEST,
  async fn() {
    const { url, schema, tenants, cleanup } = await openService();
    try {
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      await tenants.acceptInvite({
        inviteToken: pair.inviteToken,
        memberId: "bob",
      });
      await tenants.setSharedState(pair.pairId, "alice", "dinner", "soup");
      const heard: StateChange[] = [];
      let wake: () => void = () => {};
      const arrived = new Promise<void>((resolve) => wake = resolve);
      const stop = await tenants.subscribe(pair.pairId, (change) => {
        heard.push(change);
        wake();
      });

      const [result] = await runWorkers(url, schema, [{
        kind: "write-and-read",
        pairId: pair.pairId,
        memberId: "bob",
        key: "dessert",
        value: "pie",
      }]);
      await arrived;
      await stop();

      assert.deepEqual(result, {
        version: 1,
        state: { dinner: "soup", dessert: "pie" },
      });
      assert.deepEqual(heard, [{
        pairId: pair.pairId,
        namespace: "default",
        key: "dessert",
        version: 1,
        change: "set",
      }]);
      const state = await tenants.getSharedState(pair.pairId);
      assert.deepEqual(state.state, { dinner: "soup", dessert: "pie" });
    } finally {
      await cleanup();
    }
  },
});
