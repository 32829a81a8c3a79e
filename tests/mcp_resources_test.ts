import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { call } from "./support/mcp_calls.ts";
import { type RunningServer, startServer } from "./support/mcp_process.ts";

/** Collects resource update notifications and lets a test wait for one. */
class UpdateLog {
  readonly uris: string[] = [];
  #waiters: { uri: string; resolve: () => void }[] = [];

  constructor(server: RunningServer) {
    server.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (notification) => {
        this.uris.push(notification.params.uri);
        const ready = this.#waiters.filter((w) =>
          w.uri === notification.params.uri
        );
        this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
        for (const waiter of ready) waiter.resolve();
      },
    );
  }

  /** Resolves at the next update for `uri`. */
  next(uri: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ uri, resolve }));
  }
}

function readJson(
  result: { contents: { text?: unknown; mimeType?: string | undefined }[] },
) {
  const first = result.contents[0];
  assert.equal(first?.mimeType, "application/json");
  return JSON.parse(String(first?.text));
}

Deno.test("MCP pair resources list, read and send updates", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-resources-" });
  const db = `${dir}/pairs.db`;
  const alex = await startServer({ db, memberId: "alex" });
  const sam = await startServer({ db, memberId: "sam" });
  try {
    const home = await call(alex.client, "create_pair", { pairName: "Home" });
    const other = await call(alex.client, "create_pair", {});
    const stateUri = `tenant-pair://pairs/${home.pairId}/state`;
    const membersUri = `tenant-pair://pairs/${home.pairId}/members`;
    const eventsUri = `tenant-pair://pairs/${home.pairId}/events`;
    const otherStateUri = `tenant-pair://pairs/${other.pairId}/state`;

    await t.step(
      "templates and the bound member's resources are listed",
      async () => {
        const { resourceTemplates } = await alex.client.listResourceTemplates();
        assert.deepEqual(
          resourceTemplates.map((template) => template.uriTemplate).sort(),
          [
            "tenant-pair://pairs/{pairId}/events",
            "tenant-pair://pairs/{pairId}/members",
            "tenant-pair://pairs/{pairId}/state",
          ],
        );
        const { resources } = await alex.client.listResources();
        const uris = resources.map((resource) => resource.uri);
        assert.equal(uris.length, 6);
        for (const uri of [stateUri, membersUri, eventsUri, otherStateUri]) {
          assert.ok(uris.includes(uri), uri);
        }
        const samList = await sam.client.listResources();
        assert.deepEqual(samList.resources, []);
      },
    );

    await t.step("reading returns the pair's JSON", async () => {
      await call(alex.client, "set_shared_state", {
        pairId: home.pairId,
        key: "dinner",
        value: "risotto",
      });
      const state = readJson(await alex.client.readResource({ uri: stateUri }));
      assert.deepEqual(state.state, { dinner: "risotto" });
      assert.equal(state.version, 1);
      const members = readJson(
        await alex.client.readResource({ uri: membersUri }),
      );
      assert.deepEqual(
        members.members.map((m: { memberId: string }) => m.memberId),
        ["alex"],
      );
      const events = readJson(
        await alex.client.readResource({ uri: eventsUri }),
      );
      assert.equal(events.events[0].type, "pair.created");
    });

    await t.step("unknown and foreign resources are errors", async () => {
      await assert.rejects(
        alex.client.readResource({ uri: "tenant-pair://pairs/nope/state" }),
        /PAIR_NOT_FOUND/,
      );
      await assert.rejects(
        alex.client.readResource({
          uri: `tenant-pair://pairs/${home.pairId}/secrets`,
        }),
        /not found/,
      );
      await assert.rejects(
        sam.client.readResource({ uri: stateUri }),
        /NOT_A_MEMBER/,
      );
      await assert.rejects(
        sam.client.subscribeResource({ uri: stateUri }),
        /NOT_A_MEMBER/,
      );
      const encoded = stateUri.replace("pair-", "%70air-");
      await assert.rejects(
        alex.client.subscribeResource({ uri: encoded }),
        new RegExp(`subscribe to ${stateUri.replaceAll(".", "\\.")}`),
      );
    });

    await t.step("a state change updates state subscribers", async () => {
      const log = new UpdateLog(alex);
      await alex.client.subscribeResource({ uri: stateUri });
      const updated = log.next(stateUri);
      await call(alex.client, "set_shared_state", {
        pairId: home.pairId,
        key: "dinner",
        value: "pasta",
        expectedVersion: 1,
      });
      await updated;
      assert.deepEqual(log.uris, [stateUri]);
    });

    await t.step("membership changes update members subscribers", async () => {
      const log = new UpdateLog(alex);
      await alex.client.subscribeResource({ uri: membersUri });
      const updated = log.next(membersUri);
      const invite = await call(alex.client, "invite_member", {
        pairId: home.pairId,
      });
      await call(sam.client, "accept_invite", { shortCode: invite.shortCode });
      // Sam joined through another process, which this server does not
      // hear of; the removal goes through this server and is announced.
      await call(alex.client, "kick_member", {
        pairId: home.pairId,
        targetMemberId: "sam",
      });
      await updated;
      assert.ok(log.uris.includes(membersUri));
    });

    await t.step("after unsubscribing no updates arrive", async () => {
      const log = new UpdateLog(alex);
      await alex.client.unsubscribeResource({ uri: stateUri });
      await alex.client.subscribeResource({ uri: otherStateUri });
      const otherUpdated = log.next(otherStateUri);
      await call(alex.client, "set_shared_state", {
        pairId: home.pairId,
        key: "dinner",
        value: "salad",
      });
      await call(alex.client, "set_shared_state", {
        pairId: other.pairId,
        key: "plan",
        value: "trip",
      });
      // Updates go out in commit order on one stream, so by the time the
      // second pair's update arrives, one for the first would have too.
      await otherUpdated;
      assert.deepEqual(log.uris, [otherStateUri]);
    });
  } finally {
    for (const server of [alex, sam]) {
      const status = await server.stop();
      assert.equal(status.code, 0, server.transport.stderr);
    }
    await Deno.remove(dir, { recursive: true });
  }
});
