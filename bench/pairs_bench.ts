import { createShortCode, createToken, hashSecret } from "../src/invites.ts";
import { openBenchStore } from "./_bench_store.ts";

const { tenants } = await openBenchStore();
const { pairId } = await tenants.createPair({
  creatorMemberId: "owner",
  maxMembers: 10_000,
});
let i = 0;

Deno.bench(
  "createPair, with its first invite",
  { group: "pairs" },
  async () => {
    i++;
    await tenants.createPair({ creatorMemberId: `owner-${i}` });
  },
);

Deno.bench("acceptInvite by token", { group: "pairs" }, async (b) => {
  i++;
  const invite = await tenants.inviteMember({
    pairId,
    inviterMemberId: "owner",
  });
  b.start();
  await tenants.acceptInvite({
    inviteToken: invite.inviteToken,
    memberId: `guest-${i}`,
  });
  b.end();
});

Deno.bench("createToken + hashSecret", { group: "secrets" }, () => {
  hashSecret(
    createToken((length) => crypto.getRandomValues(new Uint8Array(length))),
  );
});

Deno.bench("createShortCode + hashSecret", { group: "secrets" }, () => {
  hashSecret(
    createShortCode((length) => crypto.getRandomValues(new Uint8Array(length)))
      .replace("-", ""),
  );
});
