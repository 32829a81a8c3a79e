import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { CliSession, runCli, runEach } from "./support/cli.ts";
import { tempDir } from "./support/stores.ts";

/** Finds `pattern` in `text` and returns its first group, or fails. */
function capture(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  assert.ok(match?.[1] !== undefined, `no match for ${pattern} in:\n${text}`);
  return match[1];
}

/** Splits a table into rows of cells, dropping the header line. */
function tableRows(text: string): string[][] {
  return text.trimEnd().split("\n").slice(1).map((line) => line.split(/ {2,}/));
}

Deno.test("cli runs a pair lifecycle with text output", async () => {
  const dir = await tempDir();
  try {
    const cli = new CliSession(`${dir.path}/life.db`);

    const first = await cli.run([
      "pair",
      "create",
      "--member-id",
      "alice",
      "--name",
      "Alice",
      "--pair-name",
      "Home",
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /created a new database at ".*life\.db"/);
    const pairId = capture(
      first.stdout,
      /^Created pair (\S+), owned by alice\.$/m,
    );
    const shortCode = capture(first.stdout, /^short code\s+(\S{4}-\S{4})$/m);
    assert.match(first.stdout, /^invite token\s+[A-Za-z0-9_-]{43}$/m);
    assert.match(first.stdout, /shown only now/);
    const pair = ["--pair-id", pairId];

    // A code read aloud: lower case, without the dash.
    const spoken = shortCode.replace("-", "").toLowerCase();
    const joined = await cli.text([
      "pair",
      "accept",
      "--code",
      spoken,
      "--member-id",
      "bob",
      "--name",
      "Bob",
    ]);
    assert.match(joined, new RegExp(`^bob joined pair ${pairId}\\.$`, "m"));
    assert.match(joined, /^alice\s+owner\s+Alice\s+\d{4}-\d\d-\d\dT/m);
    assert.match(joined, /^bob\s+member\s+Bob\s+\d{4}-\d\d-\d\dT/m);

    const invited = await cli.text([
      "pair",
      "invite",
      ...pair,
      "--member-id",
      "bob",
      "--hint",
      "Sam",
      "--ttl",
      "3600",
    ]);
    const inviteId = capture(invited, /^Created invite (\S+)\.$/m);
    const invites = tableRows(
      await cli.text(["pair", "invites", ...pair, "--member-id", "alice"]),
    );
    assert.equal(invites.length, 1);
    const [id, inviter, status, createdAt, expiresAt, hint] = invites[0] ?? [];
    assert.deepEqual([id, inviter, status, hint], [
      inviteId,
      "bob",
      "pending",
      "Sam",
    ]);
    assert.equal(
      Date.parse(expiresAt ?? "") - Date.parse(createdAt ?? ""),
      3_600_000,
    );
    assert.equal(
      await cli.text([
        "pair",
        "revoke-invite",
        ...pair,
        "--member-id",
        "alice",
        "--invite-id",
        inviteId,
      ]),
      `Revoked invite ${inviteId}.\n`,
    );
    assert.equal(
      await cli.text(["pair", "invites", ...pair, "--member-id", "alice"]),
      "No pending invites.\n",
    );

    const bob = [...pair, "--member-id", "bob"];
    const setNow = await cli.text([
      "member",
      "set-pref",
      ...bob,
      "--key",
      "allergies",
      "--value",
      '["peanuts"]',
      "--share",
    ]);
    const nowFrom = capture(setNow, /version 1, valid from (\S+)\.$/m);
    const setPast = await cli.text([
      "member",
      "set-pref",
      ...bob,
      "--key",
      "allergies",
      "--value",
      '["peanuts","soy"]',
      "--valid-from",
      "2020-01-01T00:00:00Z",
      "--share",
    ]);
    assert.match(
      setPast,
      /version 2, valid from 2020-01-01T00:00:00\.000Z\.$/m,
    );

    const history = await cli.text([
      "member",
      "history",
      ...bob,
      "--key",
      "allergies",
    ]);
    assert.match(history, /^History of "allergies" for bob: 2 versions\.$/m);
    assert.match(history, /^VALID is when a value holds in the world/m);
    const versions = tableRows(history.split("\n\n")[1] ?? "");
    assert.equal(versions.length, 2);
    assert.equal(versions[0]?.[0], "1");
    assert.equal(versions[0]?.[1], `${nowFrom} → open`);
    assert.equal(versions[0]?.[4], "shared");
    assert.equal(versions[1]?.[0], "2");
    assert.equal(versions[1]?.[1], `2020-01-01T00:00:00.000Z → ${nowFrom}`);
    assert.match(versions[1]?.[2] ?? "", / → now$/);
    assert.equal(versions[1]?.[4], "backdated, shared");
    assert.equal(versions[1]?.[5], '["peanuts","soy"]');

    assert.equal(
      await cli.text(["member", "constraints", ...bob]),
      'KEY        VALUE\nallergies  ["peanuts"]\n',
    );
    assert.equal(
      await cli.text([
        "member",
        "constraints",
        ...bob,
        "--valid-at",
        "2021-06-01T00:00:00+02:00",
      ]),
      'KEY        VALUE\nallergies  ["peanuts","soy"]\n',
    );
    assert.equal(
      await cli.text(["pair", "constraints", ...pair, "--member-id", "alice"]),
      'KEY        VALUE\nallergies  ["peanuts"]\n',
    );

    const alice = [...pair, "--member-id", "alice"];
    assert.match(
      await cli.text([
        "state",
        "set",
        ...alice,
        "--key",
        "dinner",
        "--value",
        "risotto",
      ]),
      /^Set "dinner" in namespace "default": version 1, valid from /,
    );
    const stale = await cli.text([
      "state",
      "set",
      ...bob,
      "--key",
      "dinner",
      "--value",
      "pasta",
      "--expected-version",
      "0",
    ]);
    const candidateId = capture(
      stale,
      /as pending conflict candidate (\S+): the key moved on to version 1\./,
    );
    assert.equal(
      await cli.text(["state", "get", ...pair]),
      'Namespace "default": revision 1, 1 key in conflict.\n' +
        'KEY     VALUE\ndinner  "risotto"\n',
    );

    const conflicts = await cli.text(["conflict", "list", ...pair]);
    assert.match(conflicts, /^1 pending candidate on 1 key\./);
    const conflictRows = tableRows(conflicts.split("\n").slice(1).join("\n"));
    assert.deepEqual(conflictRows.map((row) => row.slice(0, 5)), [
      ["default", "dinner", "current", "1", "alice"],
      ["default", "dinner", candidateId, "expected 0", "bob"],
    ]);
    assert.equal(
      await cli.text(["conflict", "resolve", ...pair]),
      "Resolved 1 key; 0 keys still pending.\n" +
        `"dinner" in namespace "default": ${candidateId} won, now version 2\n`,
    );
    assert.match(
      await cli.text(["state", "get", ...pair]),
      /revision 2, 0 keys in conflict\.\nKEY {5}VALUE\ndinner {2}"pasta"\n$/,
    );

    const stateHistory = await cli.text([
      "state",
      "history",
      ...pair,
      "--key",
      "dinner",
    ]);
    assert.match(
      stateHistory,
      /^History of "dinner" in namespace "default": 2 versions, 1 candidate\.$/m,
    );
    const stateRows = tableRows(stateHistory.split("\n\n")[1] ?? "");
    assert.deepEqual(
      stateRows.map((row) => [row[0], row[3], row[5]]),
      [
        ["1", "alice", '"risotto"'],
        [candidateId, "bob", '"pasta"'],
        ["2", "bob", '"pasta"'],
      ],
    );
    assert.equal(stateRows[0]?.[4], "superseded, lost");
    assert.equal(stateRows[1]?.[4], "superseded, won");
    // The winner is a new version whose NOTE column ends in "won", whatever
    // valid time the resolution gives it.
    assert.match(stateRows[2]?.[4] ?? "", /\bwon$/);

    assert.equal(
      await cli.text(["state", "delete", ...alice, "--key", "dinner"]),
      'Deleted "dinner" in namespace "default": tombstone version 3.\n',
    );
    assert.match(
      await cli.text(["state", "get", ...pair]),
      /revision 3, 0 keys in conflict\.\nNo keys\.\n$/,
    );

    const transferred = await cli.text([
      "pair",
      "transfer",
      ...alice,
      "--new-owner-id",
      "bob",
    ]);
    assert.match(
      transferred,
      new RegExp(`^bob now owns pair ${pairId}\\.$`, "m"),
    );
    assert.match(transferred, /^alice\s+member\s/m);
    assert.match(transferred, /^bob\s+owner\s/m);
    assert.equal(
      await cli.text([
        "pair",
        "kick",
        ...bob,
        "--target-member-id",
        "alice",
        "--reason",
        "moved out",
      ]),
      `Removed alice from pair ${pairId}.\n`,
    );
    const everyone = tableRows(
      await cli.text(["pair", "members", ...pair, "--include-left"]),
    );
    assert.deepEqual(everyone.map((row) => [row[0], row[1], row[5]]), [
      ["alice", "member", "kicked"],
      ["bob", "owner", "-"],
    ]);

    const events = tableRows(await cli.text(["events", ...pair]));
    assert.deepEqual(events.map((row) => row[2]), [
      "pair.created",
      "invite.created",
      "invite.accepted",
      "invite.created",
      "invite.revoked",
      "conflict.resolved",
      "owner.transferred",
      "member.kicked",
    ]);
    const paged = tableRows(
      await cli.text(["events", ...pair, "--after", "6", "--limit", "1"]),
    );
    assert.deepEqual(paged.map((row) => row[0]), ["7"]);

    const exported = JSON.parse(await cli.text(["member", "export", ...bob]));
    assert.equal(exported.memberId, "bob");
    assert.equal(exported.preferences.length, 2);

    const forgot = await cli.text([
      "member",
      "forget",
      ...pair,
      "--member-id",
      "alice",
      "--requested-by",
      "operator-1",
    ]);
    assert.match(
      forgot,
      new RegExp(`^Forgot alice in pair ${pairId}\\.$`, "m"),
    );
    assert.match(forgot, /^removed from pair\s+no$/m);
    assert.match(forgot, /^display names erased\s+1$/m);
    assert.match(forgot, /^disk scrubbed\s+yes$/m);
    const lastEvent = tableRows(await cli.text(["events", ...pair])).at(-1);
    assert.deepEqual(lastEvent?.slice(2, 5), [
      "member.forgotten",
      "operator-1",
      "alice",
    ]);

    assert.equal(
      await cli.text(["pair", "leave", ...bob]),
      `bob left pair ${pairId}.\n`,
    );
    assert.equal(
      await cli.text(["pair", "list", "--member-id", "bob"]),
      "No pairs.\n",
    );
    assert.match(
      await cli.text(["pair", "show", ...pair]),
      new RegExp(`^pair id +${pairId}\nname +Home\nmembers +0\n`),
    );
  } finally {
    await dir.remove();
  }
});

Deno.test("cli --json prints one JSON document per command", async () => {
  const dir = await tempDir();
  try {
    const cli = new CliSession(`${dir.path}/json.db`);

    const created = await cli.run([
      "pair",
      "create",
      "--member-id",
      "alice",
      "--max-members",
      "2",
      "--json",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const pair = JSON.parse(created.stdout);
    assert.match(pair.pairId, /^\S+$/);
    assert.match(
      pair.shortCode,
      /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/,
    );
    const pairFlag = ["--pair-id", pair.pairId];

    const accepted = await cli.json<{ members: { memberId: string }[] }>([
      "pair",
      "accept",
      "--token",
      pair.inviteToken,
      "--member-id",
      "bob",
    ]);
    assert.deepEqual(accepted.members.map((m) => m.memberId), ["alice", "bob"]);

    const shown = await cli.json(["pair", "show", ...pairFlag]);
    assert.equal(shown.memberCount, 2);
    assert.equal(shown.maxMembers, 2);
    assert.equal(shown.pairName, null);

    const first = await cli.json([
      "state",
      "set",
      ...pairFlag,
      "--member-id",
      "alice",
      "--key",
      "menu",
      "--namespace",
      "week-1",
      "--value",
      '{"mon":"soup","tue":["rice","beans"]}',
    ]);
    assert.deepEqual(
      [first.version, first.conflict, first.candidateId, first.namespace],
      [1, false, null, "week-1"],
    );
    const stale = await cli.json([
      "state",
      "set",
      ...pairFlag,
      "--member-id",
      "bob",
      "--key",
      "menu",
      "--namespace",
      "week-1",
      "--value",
      '{"mon":"pie"}',
      "--expected-version",
      "0",
    ]);
    assert.equal(stale.conflict, true);
    assert.equal(stale.version, 1);

    const snapshot = await cli.json([
      "state",
      "get",
      ...pairFlag,
      "--namespace",
      "week-1",
    ]);
    assert.equal(snapshot.namespace, "week-1");
    assert.deepEqual(snapshot.state, {
      menu: { mon: "soup", tue: ["rice", "beans"] },
    });
    assert.equal(snapshot.version, 1);
    assert.equal(snapshot.conflicts, 1);

    const listed = await cli.json<{ key: string; candidates: unknown[] }[]>([
      "conflict",
      "list",
      ...pairFlag,
    ]);
    assert.deepEqual(
      listed.map((c) => [c.key, c.candidates.length]),
      [["menu", 1]],
    );
    const keep = await cli.json([
      "conflict",
      "resolve",
      ...pairFlag,
      "--namespace",
      "week-1",
      "--key",
      "menu",
      "--winner",
      "current",
    ]);
    assert.deepEqual(keep, {
      resolved: 1,
      remaining: 0,
      resolutions: [{
        namespace: "week-1",
        key: "menu",
        winnerVersion: 2,
        winner: "current",
      }],
    });

    const history = await cli.json<Record<string, unknown>[]>([
      "state",
      "history",
      ...pairFlag,
      "--namespace",
      "week-1",
      "--key",
      "menu",
    ]);
    assert.deepEqual(
      history.map((entry) => [entry.version, entry.resolution]),
      [[1, "won"], [null, "lost"], [2, "won"]],
    );

    const events = await cli.json<{ type: string }[]>([
      "events",
      ...pairFlag,
    ]);
    assert.deepEqual(events.map((e) => e.type), [
      "pair.created",
      "invite.created",
      "invite.accepted",
      "conflict.resolved",
    ]);

    const members = await cli.json<{ memberId: string; role: string }[]>([
      "pair",
      "members",
      ...pairFlag,
    ]);
    assert.deepEqual(members.map((m) => [m.memberId, m.role]), [
      ["alice", "owner"],
      ["bob", "member"],
    ]);
    const pairs = await cli.json<{ pairId: string }[]>([
      "pair",
      "list",
      "--member-id",
      "bob",
    ]);
    assert.deepEqual(pairs.map((p) => p.pairId), [pair.pairId]);

    const report = await cli.json([
      "member",
      "forget",
      ...pairFlag,
      "--member-id",
      "bob",
      "--erase-shared-writes",
    ]);
    assert.equal(report.removedFromPair, true);
    assert.equal(report.sharedWritesErased, 1);
    assert.equal(report.diskScrubbed, true);
  } finally {
    await dir.remove();
  }
});

Deno.test("cli stores --value text as JSON or as a string", async () => {
  const dir = await tempDir();
  try {
    const cli = new CliSession(`${dir.path}/values.db`);
    const { pairId } = await cli.json<{ pairId: string }>([
      "pair",
      "create",
      "--member-id",
      "alice",
    ]);

    const cases: [string, string, unknown][] = [
      ["bare word", "risotto", "risotto"],
      ["quoted number", '"42"', "42"],
      ["number", "42", 42],
      ["negative number", "-5", -5],
      ["boolean", "true", true],
      ["null", "null", null],
      ["object", '{"a":[1,"ü"],"b":{"c":null}}', {
        a: [1, "ü"],
        b: { c: null },
      }],
      ["words with quotes", `it's "quoted"`, `it's "quoted"`],
      ["newlines", "line one\nline two\n", "line one\nline two\n"],
      ["json escapes", '"tab\\tnewline\\n"', "tab\tnewline\n"],
      ["unicode", "grüße 🍝 日本語", "grüße 🍝 日本語"],
      ["spaces", "  two words  ", "  two words  "],
      ["empty", "", ""],
    ];
    const writes = await runEach(cases, ([key, text]) =>
      cli.run([
        "state",
        "set",
        "--pair-id",
        pairId,
        "--member-id",
        "alice",
        "--key",
        key,
        `--value=${text}`,
      ]));
    writes.forEach((result, index) => {
      assert.equal(result.code, 0, `${cases[index]?.[0]}: ${result.stderr}`);
    });

    const snapshot = await cli.json<{ state: Record<string, unknown> }>([
      "state",
      "get",
      "--pair-id",
      pairId,
    ]);
    assert.deepEqual(
      snapshot.state,
      Object.fromEntries(cases.map(([key, , value]) => [key, value])),
    );

    const table = await cli.text(["state", "get", "--pair-id", pairId]);
    assert.match(table, /^newlines +"line one\\nline two\\n"$/m);
    assert.match(table, /^unicode +"grüße 🍝 日本語"$/m);
    assert.equal(table.trimEnd().split("\n").length, cases.length + 2);

    const broken = ['{"a":', "[1,", '"unterminated'];
    const rejected = await runEach(broken, (text) =>
      cli.run([
        "state",
        "set",
        "--pair-id",
        pairId,
        "--member-id",
        "alice",
        "--key",
        "broken",
        "--value",
        text,
      ]));
    rejected.forEach((result, index) => {
      assert.equal(result.code, 2, broken[index]);
      assert.match(result.stderr, /Invalid --value: it starts like JSON/);
    });

    const large = await cli.run([
      "state",
      "set",
      "--pair-id",
      pairId,
      "--member-id",
      "alice",
      "--key",
      "large",
      "--value",
      "x".repeat(70_000),
    ]);
    assert.equal(large.code, 2);
    assert.match(large.stderr, /Invalid --value: its JSON is 70002 bytes/);
  } finally {
    await dir.remove();
  }
});

Deno.test("cli creates the default database once and says where", async () => {
  const dir = await tempDir();
  try {
    const env = { XDG_DATA_HOME: dir.path };
    const expected = `${dir.path}/tenant-pair/tenant-pair.db`;

    const first = await runCli(
      ["pair", "create", "--member-id", "alice", "--json"],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stderr,
      `tenant-pair: created a new database at ${
        JSON.stringify(expected)
      }; choose another with --db or TENANT_PAIR_DB\n`,
    );
    assert.ok(existsSync(expected));
    const { pairId } = JSON.parse(first.stdout);

    const second = await runCli(["pair", "show", "--pair-id", pairId], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, "");

    const viaEnv = await runCli(["pair", "show", "--pair-id", pairId], {
      XDG_DATA_HOME: `${dir.path}/elsewhere`,
      TENANT_PAIR_DB: expected,
    });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, new RegExp(`^pair id +${pairId}$`, "m"));
  } finally {
    await dir.remove();
  }
});
