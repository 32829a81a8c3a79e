/**
 * A walk through tenant-pair on the embedded SQLite store: two people share a
 * household assistant. Run with `deno task example`.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualResolver, SqliteTenantStore, TenantPair } from "../mod.ts";

const folder = mkdtempSync(join(tmpdir(), "tenant-pair-example-"));
const store = new SqliteTenantStore({ path: join(folder, "household.db") });
const tenants = new TenantPair({ store });
// deno-lint-ignore no-console
const say = (text: string) => console.log(text);

try {
  const pair = await tenants.createPair({
    creatorMemberId: "alice",
    displayName: "Alice",
    pairName: "Home",
  });
  say(
    `Alice created pair ${pair.pairId}; she reads out code ${pair.shortCode}`,
  );

  const spoken = pair.shortCode.replace("-", "").toLowerCase();
  await tenants.acceptInvite({
    shortCode: spoken,
    memberId: "bob",
    displayName: "Bob",
  });
  const members = await tenants.listMembers(pair.pairId);
  say(
    `Bob typed "${spoken}" and joined: ${
      members.map((m) => `${m.memberId} (${m.role})`).join(", ")
    }`,
  );

  await tenants.setMemberPreference(pair.pairId, "alice", "allergies", [
    "shellfish",
  ], {
    shareWithPair: true,
  });
  await tenants.setMemberPreference(pair.pairId, "bob", "allergies", [
    "peanuts",
  ], {
    shareWithPair: true,
  });
  await tenants.setMemberPreference(
    pair.pairId,
    "bob",
    "weight-goal",
    "lose 3 kg",
  );
  const table = await tenants.getPairConstraints(pair.pairId, "alice");
  say(
    `Allergies at the table, unattributed: ${JSON.stringify(table.allergies)}`,
  );
  const bobs = await tenants.getMemberConstraints(pair.pairId, "bob");
  say(`Bob's own preferences, private to him: ${JSON.stringify(bobs)}`);

  const first = await tenants.setSharedState(
    pair.pairId,
    "alice",
    "dinner",
    "risotto",
  );
  await tenants.setSharedState(pair.pairId, "alice", "dinner", "curry", {
    expectedVersion: first.version,
  });
  const stale = await tenants.setSharedState(
    pair.pairId,
    "bob",
    "dinner",
    "tacos",
    {
      expectedVersion: first.version,
    },
  );
  say(
    `Bob edited dinner from a stale read: conflict=${stale.conflict}, nothing lost`,
  );
  const kept = await tenants.resolveConflicts(pair.pairId, {
    resolver: new ManualResolver(),
  });
  say(`A manual resolver leaves it pending: ${kept.remaining} key in conflict`);
  const settled = await tenants.resolveConflicts(pair.pairId);
  const dinner = (await tenants.getSharedState(pair.pairId)).state.dinner;
  say(
    `Last writer wins resolved ${settled.resolved} key; dinner is now ${
      JSON.stringify(dinner)
    }`,
  );

  const lastWeek = new Date(Date.now() - 7 * 24 * 3600 * 1000);
  await tenants.setSharedState(pair.pairId, "bob", "budget", 80, {
    validFrom: lastWeek,
  });
  const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600 * 1000);
  const then = await tenants.getSharedState(pair.pairId, {
    validAt: tenDaysAgo,
  });
  say(
    `Budget recorded today but valid since last week; ten days ago it was ${
      JSON.stringify(then.state.budget ?? "unset")
    }`,
  );

  const history = await tenants.getPairStateHistory(
    pair.pairId,
    "default",
    "dinner",
  );
  say("Dinner history (version, value, author, resolution):");
  for (const entry of history) {
    say(
      `  ${entry.version ?? "-"}  ${
        JSON.stringify(entry.value)
      }  ${entry.writtenByMemberId}  ${entry.resolution ?? ""}`,
    );
  }

  const exported = await tenants.exportMemberData(pair.pairId, "bob");
  say(
    `Bob's export holds ${exported.preferences.length} preference versions and ${exported.sharedWrites.length} shared writes`,
  );
  const report = await tenants.forgetMember(pair.pairId, "bob", {
    actorMemberId: "alice",
  });
  say(
    `Bob was forgotten: ${report.privateVersionsErased} private versions erased, disk scrubbed: ${report.diskScrubbed}`,
  );
} finally {
  await store.close();
  rmSync(folder, { recursive: true, force: true });
}
