/**
 * Builds the npm package, packs it with `npm pack`, installs the tarball into
 * an empty folder and runs it under Node.js 22 or newer: the quickstart, the
 * type declarations, the `tenant-pair` command and the `tenant-pair-mcp`
 * server through the MCP SDK client.
 *
 * Needs the npm registry: npm installs Node 22 (once, into ~/.cache), the
 * TypeScript compiler and the package's dependencies.
 */

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { buildNpm } from "../scripts/build_npm.ts";
import { ensureNode } from "../scripts/node_runtime.ts";

const ROOT = join(import.meta.dirname!, "..");
const CONFIG = JSON.parse(await readFile(join(ROOT, "deno.json"), "utf8")) as {
  name: string;
  version: string;
  imports: Record<string, string>;
};

interface Ran {
  stdout: string;
  stderr: string;
}

/** Runs a command and fails with its output when it exits non-zero. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Ran> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env ?? {},
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ran = {
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${output.code}\n` +
        `stdout:\n${ran.stdout}\nstderr:\n${ran.stderr}`,
    );
  }
  return ran;
}

/** Reads the npm range of a dependency from `deno.json`, such as `^1.32.2`. */
function denoRange(name: string): string {
  const specifier = CONFIG.imports[name] ?? "";
  const range = specifier.slice(`npm:${name}@`.length);
  assert.ok(range !== "", `deno.json imports no npm:${name}`);
  return range;
}

const MCP_CLIENT = `import process from "node:process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const transport = new StdioClientTransport({
  command: process.argv[2],
  args: process.argv.slice(3),
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TENANT_PAIR_DB: ":memory:",
    TENANT_PAIR_MEMBER_ID: "alice",
  },
  stderr: "ignore",
});
const client = new Client({ name: "npm-package-test", version: "1.0.0" });
await client.connect(transport);
const tools = await client.listTools();
const whoami = await client.callTool({ name: "whoami", arguments: {} });
process.stdout.write(JSON.stringify({
  server: client.getServerVersion(),
  tools: tools.tools.map((tool) => tool.name),
  whoami: whoami.structuredContent,
}));
await client.close();
`;

const TYPED_CONSUMER = `import {
  SqliteTenantStore,
  TenantPair,
  TenantPairError,
  type ErrorCode,
} from "@studiomeyer/tenant-pair";
import { main, VERSION } from "@studiomeyer/tenant-pair/server";

const tenants: TenantPair = new TenantPair({
  store: new SqliteTenantStore({ path: ":memory:" }),
});
const code: ErrorCode = "PAIR_NOT_FOUND";
const error: TenantPairError = new TenantPairError(code, "Not found");
const version: string = VERSION;
const start: (args: string[]) => Promise<number> = main;

// @ts-expect-error: the acting member id must be a string
await tenants.createPair({ creatorMemberId: 42 });

export { error, start, version };
`;

Deno.test("npm package installs and runs on Node 22", async (t) => {
  const node = await ensureNode();
  const work = await mkdtemp(join(tmpdir(), "tenant-pair-npm-"));
  try {
    const built = await buildNpm({
      root: ROOT,
      outDir: join(work, "package"),
      log: () => {},
    });
    const pack = await run("npm", [
      "pack",
      "--json",
      "--pack-destination",
      work,
    ], { cwd: built.outDir, env: { PATH: process.env.PATH ?? "" } });
    const tarball = join(
      work,
      (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename,
    );

    const app = join(work, "app");
    await Deno.mkdir(app);
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    const env = {
      PATH: `${dirname(node)}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? work,
    };
    await run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarball,
      `@modelcontextprotocol/sdk@${denoRange("@modelcontextprotocol/sdk")}`,
    ], { cwd: app, env });

    await t.step("package.json matches deno.json", async () => {
      const manifest = JSON.parse(
        await readFile(
          join(app, "node_modules", ...CONFIG.name.split("/"), "package.json"),
          "utf8",
        ),
      );
      assert.equal(manifest.name, CONFIG.name);
      assert.equal(manifest.version, CONFIG.version);
      assert.equal(manifest.type, "module");
      assert.equal(manifest.engines.node, ">=22.5.0");
      assert.deepEqual(Object.keys(manifest.exports).sort(), [
        ".",
        "./cli",
        "./package.json",
        "./server",
      ]);
      assert.deepEqual(manifest.bin, {
        "tenant-pair": "./bin/tenant-pair.js",
        "tenant-pair-mcp": "./bin/tenant-pair-mcp.js",
      });
      assert.equal(manifest.dependencies.zod, denoRange("zod"));
      assert.equal(
        manifest.dependencies["@modelcontextprotocol/sdk"],
        denoRange("@modelcontextprotocol/sdk"),
      );
      assert.equal(manifest.dependencies["fast-check"], undefined);
      const server = JSON.parse(
        await readFile(join(ROOT, "server.json"), "utf8"),
      );
      assert.equal(manifest.mcpName, server.name);
    });

    await t.step("quickstart example runs on Node", async () => {
      const example = await readFile(
        join(ROOT, "examples", "quickstart.ts"),
        "utf8",
      );
      assert.ok(example.includes(`from "../mod.ts"`));
      await writeFile(
        join(app, "quickstart.ts"),
        example.replace(`from "../mod.ts"`, `from "${CONFIG.name}"`),
      );

      const { stdout } = await run(node, [
        "--experimental-strip-types",
        "quickstart.ts",
      ], { cwd: app, env });

      assert.match(stdout, /joined: alice \(owner\), bob \(member\)/);
      assert.match(stdout, /unattributed: \["peanuts","shellfish"\]/);
      assert.match(stdout, /conflict=true, nothing lost/);
      assert.match(stdout, /dinner is now "tacos"/);
      assert.match(stdout, /disk scrubbed: true/);
    });

    await t.step("type declarations serve a TypeScript consumer", async () => {
      const buildTools = join(ROOT, "dist", ".npm_build", "node_modules");
      await writeFile(join(app, "consumer.ts"), TYPED_CONSUMER);
      await writeFile(
        join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            module: "NodeNext",
            moduleResolution: "NodeNext",
            target: "ES2023",
            lib: ["ES2023"],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            typeRoots: [join(buildTools, "@types")],
            types: ["node"],
          },
          files: ["consumer.ts"],
        }),
      );

      const { stdout } = await run(node, [
        join(buildTools, "typescript", "bin", "tsc"),
        "--project",
        "tsconfig.json",
      ], { cwd: app, env });

      assert.equal(stdout, "");
    });

    await t.step("tenant-pair bin prints the version and works", async () => {
      const version = await run("npx", [
        "--no-install",
        "tenant-pair",
        "--version",
      ], { cwd: app, env });
      assert.equal(version.stdout.trim(), `tenant-pair ${CONFIG.version}`);

      const db = ["--db", join(work, "cli.db")];
      const created = await run("npx", [
        "--no-install",
        "tenant-pair",
        "pair",
        "create",
        "--member-id",
        "alice",
        "--pair-name",
        "Home",
        "--json",
        ...db,
      ], { cwd: app, env });
      const pair = JSON.parse(created.stdout);
      assert.match(
        pair.shortCode,
        /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/,
      );

      const shown = await run("npx", [
        "--no-install",
        "tenant-pair",
        "pair",
        "show",
        "--pair-id",
        pair.pairId,
        "--json",
        ...db,
      ], { cwd: app, env });
      const record = JSON.parse(shown.stdout);
      assert.equal(record.pairId, pair.pairId);
      assert.equal(record.pairName, "Home");
      assert.equal(record.memberCount, 1);
    });

    // The second launch is the command server.json gives MCP clients.
    const launches = [["tenant-pair-mcp"], ["tenant-pair", "serve"]];
    for (const [bin, ...args] of launches) {
      const launch = [bin, ...args].join(" ");
      await t.step(`${launch} answers an MCP client`, async () => {
        await writeFile(join(app, "mcp_client.mjs"), MCP_CLIENT);
        const path = join(app, "node_modules", ".bin", bin!);

        const { stdout } = await run(node, ["mcp_client.mjs", path, ...args], {
          cwd: app,
          env,
        });
        const session = JSON.parse(stdout);

        assert.equal(session.server.name, "tenant-pair");
        assert.equal(session.server.version, CONFIG.version);
        for (const tool of ["create_pair", "whoami", "get_shared_state"]) {
          assert.ok(session.tools.includes(tool), `tools/list lacks ${tool}`);
        }
        assert.equal(session.whoami.memberId, "alice");
        assert.equal(session.whoami.bound, true);
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
