import { openBenchStore } from "./_bench_store.ts";

const { tenants } = await openBenchStore();
const { pairId, inviteToken } = await tenants.createPair({
  creatorMemberId: "owner",
});
await tenants.acceptInvite({ inviteToken, memberId: "guest" });
for (let k = 0; k < 10; k++) {
  await tenants.setMemberPreference(pairId, "owner", `pref-${k}`, ["a"], {
    shareWithPair: true,
  });
  await tenants.setMemberPreference(pairId, "guest", `pref-${k}`, ["b"], {
    shareWithPair: true,
  });
}
// Writes go to their own pair, so the reads above stay as set up.
const { pairId: writePair } = await tenants.createPair({
  creatorMemberId: "writer",
});
let i = 0;

Deno.bench("setMemberPreference", { group: "preferences" }, async () => {
  i++;
  await tenants.setMemberPreference(writePair, "writer", `pref-${i % 10}`, {
    level: i,
    tags: ["a", "b"],
  });
});

Deno.bench("getMemberConstraints, 10 keys", {
  group: "preferences",
}, async () => {
  await tenants.getMemberConstraints(pairId, "owner");
});

Deno.bench("getPairConstraints, 2 members x 10 keys", {
  group: "preferences",
}, async () => {
  await tenants.getPairConstraints(pairId, "owner");
});
