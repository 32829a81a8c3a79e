import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { call } from "./support/mcp_calls.ts";
import { startServer } from "./support/mcp_process.ts";
import { createTestSchema, POSTGRES_IGNORE } from "./support/postgres.ts";

Deno.test({
  name:
    "MCP servers on one PostgreSQL schema see and announce each other's writes",
  ignore: POSTGRES_IGNORE,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const env = { TENANT_PAIR_PG_SCHEMA: schema };
    const alex = await startServer({ db: url, memberId: "alex", env });
    const sam = await startServer({ db: url, memberId: "sam", env });
    try {
      const home = await call(alex.client, "create_pair", { pairName: "Home" });
      await call(sam.client, "accept_invite", { shortCode: home.shortCode });
      const stateUri = `tenant-pair://pairs/${home.pairId}/state`;

      const updates: string[] = [];
      let wake: () => void = () => {};
      const updated = new Promise<void>((resolve) => wake = resolve);
      alex.client.setNotificationHandler(
        ResourceUpdatedNotificationSchema,
        (notification) => {
          updates.push(notification.params.uri);
          wake();
        },
      );
      await alex.client.subscribeResource({ uri: stateUri });

      // Written through the other server process.
      await call(sam.client, "set_shared_state", {
        pairId: home.pairId,
        key: "dinner",
        value: "ramen",
      });
      await updated;
      assert.deepEqual(updates, [stateUri]);

      const seenByAlex = await call(alex.client, "get_shared_state", {
        pairId: home.pairId,
      });
      assert.deepEqual(seenByAlex.state, { dinner: "ramen" });
      await call(alex.client, "set_shared_state", {
        pairId: home.pairId,
        key: "dessert",
        value: "mochi",
      });
      const seenBySam = await call(sam.client, "get_shared_state", {
        pairId: home.pairId,
      });
      assert.deepEqual(seenBySam.state, { dinner: "ramen", dessert: "mochi" });
    } finally {
      for (const server of [alex, sam]) {
        const status = await server.stop();
        assert.equal(status.code, 0, server.transport.stderr);
      }
      await drop();
    }
  },
});
