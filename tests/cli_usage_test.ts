import assert from "node:assert/strict";
import denoConfig from "../deno.json" with { type: "json" };
import { COMMANDS } from "../src/cli/main.ts";
import { CliSession, runCli, runEach } from "./support/cli.ts";
import { tempDir } from "./support/stores.ts";

Deno.test("cli --version prints the version from deno.json", async () => {
  const result = await runCli(["--version"]);

  assert.equal(result.code, 0);
  assert.equal(result.stdout, `tenant-pair ${denoConfig.version}\n`);
  assert.equal(result.stderr, "");
});

Deno.test("cli --help lists every command", async () => {
  const result = await runCli(["--help"]);

  assert.equal(result.code, 0);
  assert.equal(result.stderr, "");
  for (const command of COMMANDS) {
    const words = command.words.join(" ");
    assert.match(result.stdout, new RegExp(`^  ${words} +\\S`, "m"), words);
  }
  assert.match(result.stdout, /--db PATH\|URL/);
  assert.match(result.stdout, /2 on a usage error/);
});

Deno.test("cli help of each command names all its flags", async () => {
  const results = await runEach(
    COMMANDS,
    (command) => runCli([...command.words, "--help"]),
  );
  COMMANDS.forEach((command, index) => {
    const words = command.words.join(" ");
    const result = results[index];
    assert.equal(result?.code, 0, words);
    assert.ok(
      result.stdout.startsWith(`Usage: tenant-pair ${words}`),
      `${words}: ${result.stdout}`,
    );
    for (const flag of Object.keys(command.flags)) {
      assert.match(
        result.stdout,
        new RegExp(`--${flag}\\b`),
        `${words} --${flag}`,
      );
    }
  });

  const valueHelp =
    results[COMMANDS.findIndex((c) => c.words.join(" ") === "state set")]
      ?.stdout;
  assert.match(valueHelp ?? "", /is stored as a string/);
});

Deno.test("cli group help lists the group's commands", async () => {
  const asFlag = await runCli(["pair", "--help"]);
  const asWord = await runCli(["help", "pair"]);

  assert.equal(asFlag.code, 0);
  assert.equal(asWord.stdout, asFlag.stdout);
  assert.match(asFlag.stdout, /^Usage: tenant-pair pair <command> \[flags\]/);
  assert.match(asFlag.stdout, /^ {2}pair revoke-invite +Revoke/m);
  assert.doesNotMatch(asFlag.stdout, /state set/);
});

/** A command line that must fail as a usage error, and what stderr contains. */
type UsageCase = [args: string[], message: RegExp, help: string];

const USAGE_CASES: UsageCase[] = [
  [[], /^tenant-pair: Missing a command$/m, "tenant-pair"],
  [["bogus"], /Unknown command "bogus"/, "tenant-pair"],
  [
    ["pair"],
    /Missing a command after "pair": one of create, /,
    "tenant-pair pair",
  ],
  [["pair", "bogus"], /Unknown command "pair bogus"/, "tenant-pair pair"],
  [
    ["--db", "x.db", "state", "get"],
    /Expected a command before --db; flags follow the command words/,
    "tenant-pair",
  ],
  [["pair", "create"], /Missing required flag --member-id$/m, "pair create"],
  [
    ["pair", "kick", "--pair-id", "p"],
    /Missing required flags --member-id, --target-member-id$/m,
    "pair kick",
  ],
  [
    ["pair", "create", "--member-id"],
    /Missing value for --member-id$/m,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "--colour", "red"],
    /Unknown flag --colour for "pair create"/,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "--member-id", "b"],
    /Flag --member-id given more than once/,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "stray"],
    /Unexpected argument "stray"/,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "--json=yes"],
    /Flag --json takes no value/,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a b"],
    /Invalid --member-id: must start with a letter or digit and use only A-Z, a-z, 0-9 and \. _ : @ \+ -; got "a b"/,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "--max-members", "3.5"],
    /Invalid --max-members: must be a whole number written in digits; got "3\.5"/,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "--max-members", "0"],
    /Invalid --max-members: must be at least 1$/m,
    "pair create",
  ],
  [
    ["pair", "create", "--member-id", "a", "--name", ""],
    /Invalid --name: must not be empty/,
    "pair create",
  ],
  [
    ["pair", "invite", "--pair-id", "p", "--member-id", "a", "--ttl", "59"],
    /Invalid --ttl: must be at least 60 seconds/,
    "pair invite",
  ],
  [
    ["pair", "invite", "--pair-id", "p", "--member-id", "a", "--ttl", "1e4"],
    /Invalid --ttl: must be a whole number written in digits; got "1e4"/,
    "pair invite",
  ],
  [
    ["pair", "accept", "--member-id", "a"],
    /Give exactly one of --token and --code/,
    "pair accept",
  ],
  [
    ["pair", "accept", "--member-id", "a", "--token", "abc", "--code", "x"],
    /Give exactly one of --token and --code/,
    "pair accept",
  ],
  [
    ["pair", "accept", "--member-id", "a", "--token", "not a token"],
    /Invalid --token: must be a base64url token/,
    "pair accept",
  ],
  [
    ["state", "set", "--pair-id", "p", "--member-id", "a", "--key", "k"],
    /Missing required flag --value$/m,
    "state set",
  ],
  [
    [
      "state",
      "set",
      "--pair-id",
      "p",
      "--member-id",
      "a",
      "--key",
      "k",
      "--value",
      "1",
      "--valid-from",
      "2026-01-01T00:00:00",
    ],
    /Invalid --valid-from: must be an ISO 8601 time with a zone/,
    "state set",
  ],
  [
    ["state", "get", "--pair-id", "p", "--known-at", "yesterday"],
    /Invalid --known-at: must be an ISO 8601 time with a zone/,
    "state get",
  ],
  [
    ["state", "get", "--pair-id", "p", "--namespace", "a/b"],
    /Invalid --namespace: must start with a letter or digit/,
    "state get",
  ],
  [
    ["state", "history", "--pair-id", "p", "--key", "tab\there"],
    /Invalid --key: must not contain control or bidirectional override characters/,
    "state history",
  ],
  [
    [
      "state",
      "delete",
      "--pair-id",
      "p",
      "--member-id",
      "a",
      "--key",
      "k",
      "--expected-version=-1",
    ],
    /Invalid --expected-version: must be 0 or more/,
    "state delete",
  ],
  [
    ["events", "--pair-id", "p", "--after", "-1"],
    /Missing value for --after; to give a value that starts with a dash, write --after=-1/,
    "events",
  ],
  [
    ["events", "--pair-id", "p", "--limit", "1001"],
    /Invalid --limit: must be at most 1000/,
    "events",
  ],
  [
    ["conflict", "resolve", "--pair-id", "p", "--strategy", "oldest"],
    /Invalid --strategy: must be lww or manual; got "oldest"/,
    "conflict resolve",
  ],
  [
    ["conflict", "resolve", "--pair-id", "p", "--winner", "current"],
    /Give --key with --winner/,
    "conflict resolve",
  ],
  [
    [
      "conflict",
      "resolve",
      "--pair-id",
      "p",
      "--strategy",
      "lww",
      "--key",
      "k",
      "--winner",
      "current",
    ],
    /Give --winner only with --strategy manual, or without one/,
    "conflict resolve",
  ],
  [
    [
      "member",
      "forget",
      "--pair-id",
      "p",
      "--member-id",
      "a",
      "--requested-by",
      "ops team",
    ],
    /Invalid --requested-by: must start with a letter or digit/,
    "member forget",
  ],
  [
    ["pair", "show", "--pair-id", "p", "--db="],
    /Invalid --db: must not be empty/,
    "pair show",
  ],
];

Deno.test("cli usage errors exit 2 with the help hint", async () => {
  const dir = await tempDir();
  try {
    // Every case fails before the database opens, so none is created.
    const db = `${dir.path}/never.db`;
    const results = await runEach(
      USAGE_CASES,
      ([args]) => runCli(args, { TENANT_PAIR_DB: db }),
    );
    USAGE_CASES.forEach(([args, message, help], index) => {
      const label = args.join(" ");
      const result = results[index];
      assert.equal(result?.code, 2, `${label}: ${result?.stderr}`);
      assert.equal(result.stdout, "", label);
      assert.match(result.stderr, message, label);
      const command = help.startsWith("tenant-pair")
        ? help
        : `tenant-pair ${help}`;
      assert.ok(
        result.stderr.endsWith(`Run "${command} --help" for usage.\n`),
        `${label}: ${result.stderr}`,
      );
    });
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
  } finally {
    await dir.remove();
  }
});

Deno.test("cli usage errors with --json print a JSON error", async () => {
  const result = await runCli([
    "pair",
    "create",
    "--member-id",
    "a b",
    "--json",
  ]);

  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  const { error } = JSON.parse(result.stderr);
  assert.equal(error.code, "USAGE");
  assert.match(error.message, /^Invalid --member-id: /);
  assert.equal(error.hint, 'Run "tenant-pair pair create --help" for usage.');
});

Deno.test("cli library errors exit 1 with code and message", async (t) => {
  const dir = await tempDir();
  try {
    const cli = new CliSession(`${dir.path}/errors.db`);
    const { pairId, inviteToken } = await cli.json<
      { pairId: string; inviteToken: string }
    >(["pair", "create", "--member-id", "alice"]);
    await cli.text([
      "pair",
      "accept",
      "--token",
      inviteToken,
      "--member-id",
      "bob",
    ]);
    await cli.text([
      "state",
      "set",
      "--pair-id",
      pairId,
      "--member-id",
      "alice",
      "--key",
      "dinner",
      "--value",
      "soup",
    ]);

    const cases: [string, string[], string][] = [
      ["PAIR_NOT_FOUND", ["pair", "show", "--pair-id", "nope"], "nope"],
      [
        "NOT_A_MEMBER",
        ["pair", "invites", "--pair-id", pairId, "--member-id", "carol"],
        "carol",
      ],
      [
        "FORBIDDEN",
        [
          "pair",
          "kick",
          "--pair-id",
          pairId,
          "--member-id",
          "bob",
          "--target-member-id",
          "alice",
        ],
        "bob",
      ],
      [
        "CANNOT_KICK_SELF",
        [
          "pair",
          "kick",
          "--pair-id",
          pairId,
          "--member-id",
          "alice",
          "--target-member-id",
          "alice",
        ],
        "alice",
      ],
      [
        "INVITE_ALREADY_ACCEPTED",
        ["pair", "accept", "--token", inviteToken, "--member-id", "carol"],
        "accept",
      ],
      [
        "INVITE_NOT_FOUND",
        ["pair", "accept", "--code", "0000-0000", "--member-id", "carol"],
        "code",
      ],
      [
        "VERSION_CONFLICT",
        [
          "state",
          "delete",
          "--pair-id",
          pairId,
          "--member-id",
          "alice",
          "--key",
          "dinner",
          "--expected-version",
          "7",
        ],
        "dinner",
      ],
      [
        "CONFLICT_NOT_FOUND",
        [
          "conflict",
          "resolve",
          "--pair-id",
          pairId,
          "--key",
          "dinner",
          "--winner",
          "current",
        ],
        "dinner",
      ],
    ];
    const results = await runEach(cases, ([, args]) => cli.run(args));

    await t.step("text on stderr, nothing on stdout", () => {
      cases.forEach(([code, args, mention], index) => {
        const result = results[index];
        const label = `${code}: ${args.join(" ")}`;
        assert.equal(result?.code, 1, `${label}: ${result?.stderr}`);
        assert.equal(result.stdout, "", label);
        assert.ok(
          result.stderr.startsWith(`tenant-pair: ${code}: `),
          `${label}: ${result.stderr}`,
        );
        assert.ok(result.stderr.toLowerCase().includes(mention), label);
        assert.equal(result.stderr.split("\n").length, 2, label);
        assert.doesNotMatch(result.stderr, /^\s+at /m, label);
      });
    });

    await t.step("JSON on stderr with --json", async () => {
      const result = await cli.run([
        "pair",
        "show",
        "--pair-id",
        "nope",
        "--json",
      ]);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      const { error } = JSON.parse(result.stderr);
      assert.equal(error.code, "PAIR_NOT_FOUND");
      assert.match(error.message, /^Cannot find pair "nope"/);
    });

    await t.step("a stack trace only at log level debug", async () => {
      const args = ["pair", "show", "--pair-id", "nope"];
      const quiet = await cli.run(args, { TENANT_PAIR_LOG_LEVEL: "info" });
      const debug = await cli.run(args, { TENANT_PAIR_LOG_LEVEL: "debug" });

      assert.equal(quiet.code, 1);
      assert.doesNotMatch(quiet.stderr, /^\s+at /m);
      assert.equal(debug.code, 1);
      assert.match(debug.stderr, /^TenantPairError: Cannot find pair "nope"/m);
      assert.match(debug.stderr, /^\s+at .*\.ts:\d+:\d+/m);
      assert.match(debug.stderr, /opening sqlite:.*errors\.db/);
    });
  } finally {
    await dir.remove();
  }
});

Deno.test("cli reports an unreachable database with exit 1", async () => {
  const dir = await tempDir();
  try {
    // A file where the database folder should be makes the open fail.
    await Deno.writeTextFile(`${dir.path}/blocker`, "");
    const result = await runCli([
      "pair",
      "show",
      "--pair-id",
      "p",
      "--db",
      `${dir.path}/blocker/sub/tenants.db`,
    ]);

    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^tenant-pair: STORE_UNAVAILABLE: Cannot create the folder for /,
    );
  } finally {
    await dir.remove();
  }
});
