import assert from "node:assert/strict";
import { call, makePair, markTime } from "./support/mcp_calls.ts";
import { startServer } from "./support/mcp_process.ts";

const READ_ONLY = [
  "whoami",
  "list_pairs",
  "list_members",
  "list_invites",
  "get_member_constraints",
  "get_pair_constraints",
  "get_shared_state",
  "get_state_history",
  "list_conflicts",
  "export_member_data",
  "list_events",
  "get_preference_history",
];

const DESTRUCTIVE = [
  "resolve_conflicts",
  "kick_member",
  "leave_pair",
  "forget_member",
  "revoke_invite",
  "delete_shared_state",
];

const ALL_TOOLS = [
  "create_pair",
  "invite_member",
  "accept_invite",
  "list_members",
  "set_member_preferences",
  "get_member_constraints",
  "get_shared_state",
  "set_shared_state",
  "resolve_conflicts",
  "kick_member",
  "leave_pair",
  "forget_member",
  "whoami",
  "list_pairs",
  "list_invites",
  "revoke_invite",
  "transfer_ownership",
  "list_conflicts",
  "get_state_history",
  "get_pair_constraints",
  "export_member_data",
  "list_events",
  "delete_shared_state",
];

Deno.test("MCP server over stdio runs every tool's success path", async (t) => {
  const server = await startServer();
  const { client } = server;
  try {
    await t.step("initialize reports name and version", () => {
      const info = client.getServerVersion();
      assert.equal(info?.name, "tenant-pair");
      assert.match(info?.version ?? "", /^\d+\.\d+\.\d+/);
      assert.equal(client.getServerCapabilities()?.resources?.subscribe, true);
    });

    await t.step("tools/list has every tool with truthful hints", async () => {
      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      for (const name of ALL_TOOLS) assert.ok(names.includes(name), name);
      for (const tool of tools) {
        const hints = tool.annotations;
        assert.ok(
          tool.description !== undefined && tool.description.length > 40,
        );
        assert.ok(tool.outputSchema, `${tool.name} has no outputSchema`);
        assert.equal(tool.inputSchema.additionalProperties, false, tool.name);
        assert.equal(hints?.openWorldHint, false, tool.name);
        assert.equal(
          hints?.readOnlyHint,
          READ_ONLY.includes(tool.name),
          `${tool.name} readOnlyHint`,
        );
        assert.equal(
          hints?.destructiveHint,
          DESTRUCTIVE.includes(tool.name),
          `${tool.name} destructiveHint`,
        );
        assert.equal(typeof hints?.idempotentHint, "boolean", tool.name);
        if (READ_ONLY.includes(tool.name)) {
          assert.equal(hints?.idempotentHint, true, tool.name);
        }
      }
    });

    await t.step("whoami says an unbound server is unverified", async () => {
      const me = await call(client, "whoami");
      assert.equal(me.memberId, null);
      assert.equal(me.bound, false);
      assert.equal(me.identityVerified, false);
      assert.deepEqual(me.pairs, []);
    });

    await t.step("create_pair, list_pairs and list_members", async () => {
      const pair = await call(client, "create_pair", {
        creatorMemberId: "ada",
        displayName: "Ada",
        pairName: "Home",
      });
      assert.match(pair.pairId, /^[A-Za-z0-9]/);
      assert.match(
        pair.shortCode,
        /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/,
      );
      assert.match(pair.inviteToken, /^[A-Za-z0-9_-]{43}$/);
      const { pairs } = await call(client, "list_pairs", { memberId: "ada" });
      assert.equal(pairs.length, 1);
      assert.equal(pairs[0].pairName, "Home");
      assert.equal(pairs[0].memberCount, 1);
      const { members } = await call(client, "list_members", {
        pairId: pair.pairId,
      });
      assert.equal(members.length, 1);
      assert.equal(members[0].role, "owner");
      assert.equal(members[0].displayName, "Ada");
    });

    await t.step(
      "invite_member, list_invites and accept_invite by token",
      async () => {
        const pairId = await makePair(client, "bo");
        const invite = await call(client, "invite_member", {
          pairId,
          inviterMemberId: "bo",
          inviteeHint: "Cy",
          ttlSeconds: "3600",
        });
        const expires = Date.parse(invite.expiresAt) - Date.now();
        assert.ok(expires > 3500_000, String(expires));
        assert.ok(expires <= 3600_000, String(expires));
        const { invites } = await call(client, "list_invites", {
          pairId,
          memberId: "bo",
        });
        const listed = invites.find((item: { inviteId: string }) =>
          item.inviteId === invite.inviteId
        );
        assert.equal(listed.inviteeHint, "Cy");
        assert.equal(listed.status, "pending");
        assert.equal("inviteToken" in listed, false);
        const joined = await call(client, "accept_invite", {
          inviteToken: invite.inviteToken,
          memberId: "cy",
          displayName: "Cy",
        });
        assert.equal(joined.pairId, pairId);
        assert.deepEqual(
          joined.members.map((member: { memberId: string }) => member.memberId)
            .sort(),
          ["bo", "cy"],
        );
      },
    );

    await t.step(
      "accept_invite takes a spoken code in lower case",
      async () => {
        const pair = await call(client, "create_pair", {
          creatorMemberId: "di",
        });
        const spoken = pair.shortCode.replace("-", "").toLowerCase();
        const joined = await call(client, "accept_invite", {
          shortCode: spoken,
          memberId: "ed",
        });
        assert.equal(joined.memberId, "ed");
        assert.equal(joined.members.length, 2);
      },
    );

    await t.step("revoke_invite stops an invite", async () => {
      const pairId = await makePair(client, "fa");
      const invite = await call(client, "invite_member", {
        pairId,
        inviterMemberId: "fa",
      });
      const revoked = await call(client, "revoke_invite", {
        pairId,
        inviteId: invite.inviteId,
        memberId: "fa",
      });
      assert.equal(revoked.status, "revoked");
      const { invites } = await call(client, "list_invites", {
        pairId,
        memberId: "fa",
      });
      assert.equal(
        invites.some((item: { inviteId: string }) =>
          item.inviteId === invite.inviteId
        ),
        false,
      );
    });

    await t.step("kick_member, leave_pair and transfer_ownership", async () => {
      const pairId = await makePair(client, "gi", ["ha", "io", "ju"]);
      const kicked = await call(client, "kick_member", {
        pairId,
        actingMemberId: "gi",
        targetMemberId: "ha",
        reason: "moved out",
      });
      assert.equal(kicked.leftReason, "kicked");
      const after = await call(client, "transfer_ownership", {
        pairId,
        newOwnerMemberId: "io",
        memberId: "gi",
      });
      const roles = Object.fromEntries(
        after.members.map((m: { memberId: string; role: string }) => [
          m.memberId,
          m.role,
        ]),
      );
      assert.deepEqual(roles, { gi: "member", io: "owner", ju: "member" });
      const left = await call(client, "leave_pair", { pairId, memberId: "ju" });
      assert.equal(left.leftReason, "left");
      const { members } = await call(client, "list_members", {
        pairId,
        includeLeft: true,
      });
      assert.equal(members.length, 4);
    });

    await t.step(
      "preferences: set, own read, merged read, history",
      async () => {
        const pairId = await makePair(client, "ka", ["lu"]);
        const first = await call(client, "set_member_preferences", {
          pairId,
          memberId: "ka",
          key: "allergies",
          value: ["peanuts"],
          shareWithPair: true,
        });
        assert.equal(first.version, 1);
        assert.equal(first.sharedWithPair, true);
        await call(client, "set_member_preferences", {
          pairId,
          memberId: "lu",
          key: "allergies",
          value: ["shellfish"],
          shareWithPair: true,
        });
        await call(client, "set_member_preferences", {
          pairId,
          memberId: "lu",
          key: "diet",
          value: "no pork",
        });
        const own = await call(client, "get_member_constraints", {
          pairId,
          memberId: "lu",
        });
        assert.deepEqual(own.constraints, {
          allergies: ["shellfish"],
          diet: "no pork",
        });
        const merged = await call(client, "get_pair_constraints", {
          pairId,
          memberId: "ka",
        });
        assert.deepEqual(merged.constraints, {
          allergies: ["peanuts", "shellfish"],
        });
        const history = await call(client, "get_preference_history", {
          pairId,
          memberId: "lu",
          key: "diet",
        });
        assert.equal(history.entries.length, 1);
        assert.equal(history.entries[0].value, "no pork");
      },
    );

    await t.step("shared state: set, read, history, delete", async () => {
      const pairId = await makePair(client, "mo", ["ny"]);
      const set = await call(client, "set_shared_state", {
        pairId,
        memberId: "mo",
        namespace: "meals",
        key: "dinner",
        value: { dish: "risotto", serves: 2 },
        expectedVersion: "0",
      });
      assert.equal(set.version, 1);
      assert.equal(set.conflict, false);
      const read = await call(client, "get_shared_state", {
        pairId,
        namespace: "meals",
      });
      assert.deepEqual(read.state, { dinner: { dish: "risotto", serves: 2 } });
      assert.equal(read.version, 1);
      assert.equal(read.conflicts, 0);
      const deleted = await call(client, "delete_shared_state", {
        pairId,
        memberId: "ny",
        namespace: "meals",
        key: "dinner",
        expectedVersion: 1,
      });
      assert.equal(deleted.version, 2);
      const history = await call(client, "get_state_history", {
        pairId,
        namespace: "meals",
        key: "dinner",
      });
      assert.deepEqual(
        history.entries.map((entry: { version: number; deleted: boolean }) => [
          entry.version,
          entry.deleted,
        ]),
        [[1, false], [2, true]],
      );
      const empty = await call(client, "get_shared_state", {
        pairId,
        namespace: "meals",
      });
      assert.deepEqual(empty.state, {});
    });

    await t.step("conflicts: stale write, list, resolve", async () => {
      const pairId = await makePair(client, "ol", ["pi"]);
      await call(client, "set_shared_state", {
        pairId,
        memberId: "ol",
        key: "dinner",
        value: "soup",
      });
      await call(client, "set_shared_state", {
        pairId,
        memberId: "ol",
        key: "dinner",
        value: "stew",
        expectedVersion: 1,
      });
      const stale = await call(client, "set_shared_state", {
        pairId,
        memberId: "pi",
        key: "dinner",
        value: "curry",
        expectedVersion: 1,
      });
      assert.equal(stale.conflict, true);
      assert.equal(stale.version, 2);
      const { conflicts } = await call(client, "list_conflicts", { pairId });
      assert.equal(conflicts.length, 1);
      assert.equal(conflicts[0].current.value, "stew");
      assert.equal(conflicts[0].candidates[0].value, "curry");
      const manual = await call(client, "resolve_conflicts", {
        pairId,
        strategy: "manual",
      });
      assert.equal(manual.resolved, 0);
      assert.equal(manual.remaining, 1);
      const lww = await call(client, "resolve_conflicts", {
        pairId,
        strategy: "lww",
      });
      assert.equal(lww.resolved, 1);
      assert.equal(lww.remaining, 0);
      assert.equal(lww.resolutions[0].winnerVersion, 3);
      const read = await call(client, "get_shared_state", { pairId });
      assert.equal(read.state.dinner, "curry");
    });

    await t.step("as-of reads: validAt and knownAt", async () => {
      const pairId = await makePair(client, "qu");
      const before = new Date(Date.now() - 60_000).toISOString();
      await call(client, "set_shared_state", {
        pairId,
        memberId: "qu",
        key: "budget",
        value: 50,
      });
      const learnedAt = await markTime();
      await call(client, "set_shared_state", {
        pairId,
        memberId: "qu",
        key: "budget",
        value: 40,
        validFrom: new Date(Date.now() - 3_600_000).toISOString(),
      });
      const past = await call(client, "get_shared_state", {
        pairId,
        validAt: before,
      });
      assert.equal(past.state.budget, 40);
      const knownBefore = await call(client, "get_shared_state", {
        pairId,
        validAt: before,
        knownAt: learnedAt,
      });
      assert.equal(knownBefore.state.budget, undefined);
    });

    await t.step("list_events pages with after and limit", async () => {
      const pairId = await makePair(client, "ra", ["su"]);
      const all = await call(client, "list_events", { pairId });
      const types = all.events.map((event: { type: string }) => event.type);
      assert.deepEqual(types, [
        "pair.created",
        "invite.created",
        "invite.created",
        "invite.accepted",
      ]);
      const page = await call(client, "list_events", {
        pairId,
        after: String(all.events[1].id),
        limit: "1",
      });
      assert.equal(page.events.length, 1);
      assert.equal(page.events[0].id, all.events[2].id);
      assert.equal(page.nextAfter, all.events[2].id);
    });

    await t.step("export_member_data and forget_member", async () => {
      const pairId = await makePair(client, "ti", ["uv"]);
      await call(client, "set_member_preferences", {
        pairId,
        memberId: "uv",
        key: "allergies",
        value: ["sesame"],
      });
      await call(client, "set_shared_state", {
        pairId,
        memberId: "uv",
        key: "note",
        value: "hello",
      });
      const exported = await call(client, "export_member_data", {
        pairId,
        memberId: "uv",
      });
      assert.equal(exported.memberId, "uv");
      assert.equal(exported.preferences.length, 1);
      assert.deepEqual(exported.preferences[0].value, ["sesame"]);
      assert.equal(exported.sharedWrites.length, 1);
      const report = await call(client, "forget_member", {
        pairId,
        memberId: "uv",
      });
      assert.equal(report.removedFromPair, true);
      assert.equal(report.privateVersionsErased, 1);
      const after = await call(client, "export_member_data", {
        pairId,
        memberId: "uv",
      });
      assert.deepEqual(after.preferences, []);
      assert.notEqual(after.membership.forgottenAt, null);
    });
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.transport.stderr);
  }
});
