import assert from "node:assert/strict";
import { call, callError, callRaw } from "./support/mcp_calls.ts";
import { type RunningServer, startServer } from "./support/mcp_process.ts";

async function withServers(
  run: (servers: {
    alex: RunningServer;
    sam: RunningServer;
    zed: RunningServer;
  }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-identity-" });
  const db = `${dir}/pairs.db`;
  const alex = await startServer({ db, memberId: "alex" });
  // The flag binds as well as the environment variable does.
  const sam = await startServer({ db, args: ["--member-id", "sam"] });
  const zed = await startServer({ db, memberId: "zed" });
  try {
    await run({ alex, sam, zed });
  } finally {
    for (const server of [alex, sam, zed]) {
      const status = await server.stop();
      assert.equal(status.code, 0, server.transport.stderr);
    }
    await Deno.remove(dir, { recursive: true });
  }
}

/** Alex creates a pair on their own server; Sam joins from theirs. */
async function household(
  alex: RunningServer,
  sam: RunningServer,
): Promise<string> {
  const pair = await call(alex.client, "create_pair", { pairName: "Home" });
  const spoken = pair.shortCode.replace("-", "").toLowerCase();
  await call(sam.client, "accept_invite", { shortCode: spoken });
  await call(alex.client, "set_member_preferences", {
    pairId: pair.pairId,
    key: "allergies",
    value: ["peanuts"],
  });
  return pair.pairId;
}

Deno.test("bound MCP server acts only as its member", async (t) => {
  await withServers(async ({ alex, sam, zed }) => {
    const pairId = await household(alex, sam);

    await t.step("start log names the bound member", async () => {
      const log = await alex.transport.waitForStderr(/Ready/);
      assert.match(log, /bound to member "alex"/);
      assert.doesNotMatch(log, /not verified/);
      const samLog = await sam.transport.waitForStderr(/Ready/);
      assert.match(samLog, /bound to member "sam"/);
    });

    await t.step("whoami returns the bound member and pairs", async () => {
      const me = await call(sam.client, "whoami");
      assert.equal(me.memberId, "sam");
      assert.equal(me.bound, true);
      assert.equal(me.identityVerified, true);
      assert.deepEqual(
        me.pairs.map((pair: { pairId: string }) => pair.pairId),
        [pairId],
      );
    });

    await t.step("member arguments default to the bound member", async () => {
      const { members } = await call(sam.client, "list_members", { pairId });
      assert.deepEqual(
        members.map((m: { memberId: string }) => m.memberId).sort(),
        ["alex", "sam"],
      );
      const own = await call(sam.client, "set_member_preferences", {
        pairId,
        key: "diet",
        value: "vegetarian",
        memberId: "sam",
      });
      assert.equal(own.memberId, "sam");
      const read = await call(sam.client, "get_member_constraints", {
        pairId,
      });
      assert.deepEqual(read.constraints, { diet: "vegetarian" });
    });

    await t.step("naming another actor is FORBIDDEN", async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ["create_pair", { creatorMemberId: "alex" }, "creatorMemberId"],
        [
          "invite_member",
          { pairId, inviterMemberId: "alex" },
          "inviterMemberId",
        ],
        ["set_shared_state", {
          pairId,
          memberId: "alex",
          key: "dinner",
          value: "soup",
        }, "memberId"],
        [
          "delete_shared_state",
          { pairId, memberId: "alex", key: "dinner" },
          "memberId",
        ],
        ["kick_member", {
          pairId,
          actingMemberId: "alex",
          targetMemberId: "sam",
        }, "actingMemberId"],
        ["leave_pair", { pairId, memberId: "alex" }, "memberId"],
        ["transfer_ownership", {
          pairId,
          memberId: "alex",
          newOwnerMemberId: "sam",
        }, "memberId"],
        ["list_pairs", { memberId: "alex" }, "memberId"],
        ["list_invites", { pairId, memberId: "alex" }, "memberId"],
        ["get_shared_state", { pairId, memberId: "alex" }, "memberId"],
        [
          "accept_invite",
          { shortCode: "ABCD-EFGH", memberId: "alex" },
          "memberId",
        ],
      ];
      for (const [tool, args, field] of cases) {
        const text = await callError(sam.client, tool, args);
        assert.match(text, /^FORBIDDEN: /, tool);
        assert.match(text, new RegExp(field), tool);
      }
    });

    await t.step("another member's private data is FORBIDDEN", async () => {
      const cases: [string, Record<string, unknown>][] = [
        ["get_member_constraints", { pairId, memberId: "alex" }],
        ["get_preference_history", {
          pairId,
          memberId: "alex",
          key: "allergies",
        }],
        ["export_member_data", { pairId, memberId: "alex" }],
        ["forget_member", { pairId, memberId: "alex" }],
      ];
      for (const [tool, args] of cases) {
        const result = await callRaw(sam.client, tool, args);
        assert.equal(result.isError, true, tool);
        const text = result.content[0]?.type === "text"
          ? result.content[0].text
          : "";
        assert.match(text, /^FORBIDDEN: /, tool);
        assert.doesNotMatch(text, /peanuts/, tool);
        assert.equal(result.structuredContent, undefined, tool);
        assert.deepEqual(result._meta?.["tenant-pair/error"], {
          code: "FORBIDDEN",
          field: "memberId",
        });
      }
      // Alex's private allergy is still there: the refusals changed nothing.
      const own = await call(alex.client, "get_member_constraints", { pairId });
      assert.deepEqual(own.constraints, { allergies: ["peanuts"] });
    });

    await t.step(
      "a bound non-member reading the pair gets NOT_A_MEMBER",
      async () => {
        const reads: [string, Record<string, unknown>][] = [
          ["get_shared_state", { pairId }],
          ["list_members", { pairId }],
          ["list_events", { pairId }],
          ["list_conflicts", { pairId }],
          ["get_state_history", { pairId, key: "dinner" }],
          ["list_invites", { pairId }],
          ["get_pair_constraints", { pairId }],
          ["get_member_constraints", { pairId }],
          ["export_member_data", { pairId }],
          ["resolve_conflicts", { pairId }],
        ];
        for (const [tool, args] of reads) {
          const text = await callError(zed.client, tool, args);
          assert.match(text, /^NOT_A_MEMBER: /, tool);
        }
        await assert.rejects(
          zed.client.readResource({
            uri: `tenant-pair://pairs/${pairId}/state`,
          }),
          /NOT_A_MEMBER/,
        );
      },
    );

    await t.step("the bound member may erase only themselves", async () => {
      const report = await call(sam.client, "forget_member", { pairId });
      assert.equal(report.memberId, "sam");
      assert.equal(report.removedFromPair, true);
      const { events } = await call(alex.client, "list_events", { pairId });
      const forgotten = events.find((e: { type: string }) =>
        e.type === "member.forgotten"
      );
      assert.equal(forgotten.actorMemberId, "sam");
      assert.equal(forgotten.subjectMemberId, "sam");
    });
  });
});

Deno.test("unbound MCP server warns and requires actor ids", async () => {
  const server = await startServer();
  try {
    await server.transport.waitForStderr(/Identity is not verified/);
    const cases: [string, Record<string, unknown>, string][] = [
      ["create_pair", {}, "creatorMemberId"],
      ["list_pairs", {}, "memberId"],
      ["accept_invite", { shortCode: "ABCD-EFGH" }, "memberId"],
    ];
    for (const [tool, args, field] of cases) {
      const text = await callError(server.client, tool, args);
      assert.match(text, /^INVALID_INPUT: Missing /, tool);
      assert.match(text, new RegExp(field), tool);
    }
    const pair = await call(server.client, "create_pair", {
      creatorMemberId: "kim",
    });
    const text = await callError(server.client, "invite_member", {
      pairId: pair.pairId,
    });
    assert.match(text, /^INVALID_INPUT: Missing inviterMemberId/);
    // Unbound, reads without a member id are allowed.
    const state = await call(server.client, "get_shared_state", {
      pairId: pair.pairId,
    });
    assert.deepEqual(state.state, {});
    // A member id given to a read is checked.
    const denied = await callError(server.client, "list_members", {
      pairId: pair.pairId,
      memberId: "lee",
    });
    assert.match(denied, /^NOT_A_MEMBER: /);
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0);
  }
});
