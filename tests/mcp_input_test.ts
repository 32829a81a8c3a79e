import assert from "node:assert/strict";
import { call, callError, callRaw, textOf } from "./support/mcp_calls.ts";
import { startServer } from "./support/mcp_process.ts";

/** Valid arguments for each tool, except ids that the test fills in. */
function validArguments(
  pairId: string,
): Record<string, Record<string, unknown>> {
  return {
    whoami: {},
    create_pair: { creatorMemberId: "ann" },
    list_pairs: { memberId: "ann" },
    invite_member: { pairId, inviterMemberId: "ann", ttlSeconds: 3600 },
    list_invites: { pairId, memberId: "ann" },
    revoke_invite: { pairId, inviteId: "inv-1", memberId: "ann" },
    accept_invite: { shortCode: "ABCD-EFGH", memberId: "bea" },
    list_members: { pairId },
    kick_member: { pairId, actingMemberId: "ann", targetMemberId: "bea" },
    leave_pair: { pairId, memberId: "ann" },
    transfer_ownership: { pairId, newOwnerMemberId: "bea", memberId: "ann" },
    set_member_preferences: { pairId, memberId: "ann", key: "k", value: 1 },
    get_member_constraints: { pairId, memberId: "ann" },
    get_pair_constraints: { pairId, memberId: "ann" },
    get_preference_history: { pairId, memberId: "ann", key: "k" },
    get_shared_state: { pairId },
    set_shared_state: {
      pairId,
      memberId: "ann",
      key: "k",
      value: 1,
      expectedVersion: 0,
    },
    delete_shared_state: { pairId, memberId: "ann", key: "k" },
    get_state_history: { pairId, key: "k" },
    list_conflicts: { pairId },
    resolve_conflicts: { pairId },
    export_member_data: { pairId, memberId: "ann" },
    forget_member: { pairId, memberId: "ann" },
    list_events: { pairId, after: 0, limit: 10 },
  };
}

/** Fields the schema requires, per tool. */
const REQUIRED: Record<string, string[]> = {
  invite_member: ["pairId"],
  list_invites: ["pairId"],
  revoke_invite: ["pairId", "inviteId"],
  list_members: ["pairId"],
  kick_member: ["pairId", "targetMemberId"],
  leave_pair: ["pairId"],
  transfer_ownership: ["pairId", "newOwnerMemberId"],
  set_member_preferences: ["pairId", "key", "value"],
  get_member_constraints: ["pairId"],
  get_pair_constraints: ["pairId"],
  get_preference_history: ["pairId", "key"],
  get_shared_state: ["pairId"],
  set_shared_state: ["pairId", "key", "value"],
  delete_shared_state: ["pairId", "key"],
  get_state_history: ["pairId", "key"],
  list_conflicts: ["pairId"],
  resolve_conflicts: ["pairId"],
  export_member_data: ["pairId"],
  forget_member: ["pairId"],
  list_events: ["pairId"],
};

/** Integer fields per tool. */
const INTEGERS: Record<string, string[]> = {
  invite_member: ["ttlSeconds"],
  set_shared_state: ["expectedVersion"],
  delete_shared_state: ["expectedVersion"],
  list_events: ["after", "limit"],
};

const ID_FIELDS = [
  "pairId",
  "creatorMemberId",
  "inviterMemberId",
  "memberId",
  "actingMemberId",
  "targetMemberId",
  "newOwnerMemberId",
  "inviteId",
];

const BAD_IDS: [string, string][] = [
  ["a 1 MB string", "x".repeat(1_048_576)],
  ["a control character", "ann\u0000"],
  ["a newline", "ann\nbea"],
  ["an emoji", "ann🙂"],
  ["an empty string", ""],
];

const BAD_INTEGERS: [string, unknown][] = [
  ["empty string", ""],
  ["decimal string", "3.5"],
  ["unit string", "12px"],
  ["negative string", "-1"],
  ["exponent string", "1e400"],
  ["fraction", 3.5],
  ["boolean", true],
];

function assertNamesField(text: string, field: string, label: string): void {
  assert.ok(
    text.includes(field),
    `${label}: error should name ${field}: ${text.slice(0, 300)}`,
  );
  assert.ok(text.length < 2000, `${label}: error text is ${text.length} long`);
}

Deno.test("MCP tools reject bad input and keep serving", async (t) => {
  const server = await startServer();
  const { client } = server;
  try {
    const pair = await call(client, "create_pair", { creatorMemberId: "ann" });
    const valid = validArguments(pair.pairId);
    const tools = Object.keys(valid);
    const listed = (await client.listTools()).tools.map((tool) => tool.name);
    assert.deepEqual([...listed].sort(), [...tools].sort());

    const stillServing = async (label: string) => {
      const me = await call(client, "whoami");
      assert.equal(me.bound, false, label);
    };

    await t.step("an extra field is rejected by name", async () => {
      for (const tool of tools) {
        const text = await callError(client, tool, {
          ...valid[tool],
          bogusField: 1,
        });
        assertNamesField(text, "bogusField", tool);
      }
      await stillServing("extra field");
    });

    await t.step("a missing required field is rejected by name", async () => {
      for (const [tool, fields] of Object.entries(REQUIRED)) {
        for (const field of fields) {
          const args = { ...valid[tool] };
          delete args[field];
          const text = await callError(client, tool, args);
          assertNamesField(text, field, `${tool} without ${field}`);
        }
      }
      await stillServing("missing field");
    });

    await t.step("a wrong type is rejected by name", async () => {
      for (const tool of tools) {
        for (const field of Object.keys(valid[tool] ?? {})) {
          if (field === "value") continue;
          const current = valid[tool]?.[field];
          const wrong = typeof current === "string" ? 42 : "not a number";
          const text = await callError(client, tool, {
            ...valid[tool],
            [field]: wrong,
          });
          assertNamesField(text, field, `${tool}.${field} = ${wrong}`);
        }
      }
      await stillServing("wrong type");
    });

    await t.step("bad ids are rejected by name", async () => {
      for (const tool of tools) {
        for (const field of Object.keys(valid[tool] ?? {})) {
          if (!ID_FIELDS.includes(field)) continue;
          for (const [label, bad] of BAD_IDS) {
            const text = await callError(client, tool, {
              ...valid[tool],
              [field]: bad,
            });
            assertNamesField(text, field, `${tool}.${field} as ${label}`);
          }
        }
      }
      await stillServing("bad ids");
    });

    await t.step("a 1 MB key and value are rejected", async () => {
      const huge = "y".repeat(1_048_576);
      const keyText = await callError(client, "set_shared_state", {
        ...valid.set_shared_state,
        key: huge,
      });
      assertNamesField(keyText, "key", "1 MB key");
      const valueText = await callError(client, "set_shared_state", {
        pairId: pair.pairId,
        memberId: "ann",
        key: "big",
        value: huge,
      });
      assert.match(valueText, /^INVALID_INPUT: Invalid value: /);
      await stillServing("1 MB key and value");
    });

    await t.step("malformed integer strings are rejected by name", async () => {
      for (const [tool, fields] of Object.entries(INTEGERS)) {
        for (const field of fields) {
          for (const [label, bad] of BAD_INTEGERS) {
            const text = await callError(client, tool, {
              ...valid[tool],
              [field]: bad,
            });
            assertNamesField(text, field, `${tool}.${field} as ${label}`);
            assert.match(text, /whole number/, `${tool}.${field} ${label}`);
          }
        }
      }
      await stillServing("bad integers");
    });

    await t.step("integer strings work like numbers", async () => {
      const invite = await call(client, "invite_member", {
        pairId: pair.pairId,
        inviterMemberId: "ann",
        ttlSeconds: "0060",
      });
      const lifetime = Date.parse(invite.expiresAt) - Date.now();
      assert.ok(lifetime > 0, String(lifetime));
      assert.ok(lifetime <= 60_000, String(lifetime));
      const first = await call(client, "set_shared_state", {
        pairId: pair.pairId,
        memberId: "ann",
        key: "count",
        value: "42",
        expectedVersion: "0",
      });
      assert.equal(first.version, 1);
      const second = await call(client, "set_shared_state", {
        pairId: pair.pairId,
        memberId: "ann",
        key: "count",
        value: 43,
        expectedVersion: "1",
      });
      assert.equal(second.conflict, false);
      assert.equal(second.version, 2);
      const history = await call(client, "get_state_history", {
        pairId: pair.pairId,
        key: "count",
      });
      // Values are never coerced: the string stays a string.
      assert.equal(history.entries[0].value, "42");
      assert.equal(history.entries[1].value, 43);
    });

    await t.step("accept_invite needs exactly one secret", async () => {
      const neither = await callError(client, "accept_invite", {
        memberId: "bea",
      });
      assert.match(neither, /^INVALID_INPUT: .*inviteToken.*shortCode/);
      const both = await callError(client, "accept_invite", {
        memberId: "bea",
        shortCode: "ABCD-EFGH",
        inviteToken: "abc",
      });
      assert.match(both, /^INVALID_INPUT: /);
    });

    await t.step("an unknown tool is an error naming it", async () => {
      const result = await callRaw(client, "no_such_tool", {});
      assert.equal(result.isError, true);
      assert.match(textOf(result), /no_such_tool/);
      await stillServing("unknown tool");
    });

    await t.step(
      "a malformed JSON-RPC line does not stop the server",
      async () => {
        await server.transport.sendRaw("{not json\n");
        await server.transport.sendRaw('{"jsonrpc":"2.0","id":"x"}\n');
        await stillServing("malformed line");
      },
    );

    await t.step("stdout carries only JSON-RPC messages", () => {
      const lines = server.transport.stdoutLines;
      assert.ok(lines.length > 100, `only ${lines.length} lines`);
      for (const line of lines) {
        const message = JSON.parse(line);
        assert.equal(message.jsonrpc, "2.0", line.slice(0, 200));
        assert.ok(
          "id" in message || "method" in message,
          line.slice(0, 200),
        );
      }
    });
  } finally {
    const status = await server.stop();
    assert.equal(status.code, 0, server.transport.stderr);
  }
});
