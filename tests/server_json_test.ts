/**
 * Checks `server.json`, the MCP registry entry, against the package it
 * describes: the name and version in `deno.json`, the npm package the build
 * writes, the command that `npx` starts and the variables the server reads.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { BINS, packageManifest } from "../scripts/_npm_manifest.ts";
import { COMMANDS } from "../src/cli/main.ts";

const ROOT = join(import.meta.dirname!, "..");

interface EnvironmentVariable {
  name: string;
  description?: string;
  isRequired?: boolean;
  isSecret?: boolean;
  default?: string;
  choices?: string[];
}

interface RegistryPackage {
  registryType: string;
  registryBaseUrl?: string;
  identifier: string;
  version: string;
  runtimeHint?: string;
  transport: { type: string };
  packageArguments?: { type: string; value?: string }[];
  environmentVariables?: EnvironmentVariable[];
}

interface ServerJson {
  $schema: string;
  name: string;
  title?: string;
  description: string;
  version: string;
  packages: RegistryPackage[];
}

const server = JSON.parse(
  await readFile(join(ROOT, "server.json"), "utf8"),
) as ServerJson;
const config = JSON.parse(await readFile(join(ROOT, "deno.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, string>;
};

function npmPackage(): RegistryPackage {
  const found = server.packages.filter((p) => p.registryType === "npm");
  assert.equal(found.length, 1, "server.json lists one npm package");
  return found[0]!;
}

/** Source text of every module under src/, to find the variables read. */
async function sourceText(): Promise<string> {
  const files = await readdir(join(ROOT, "src"), { recursive: true });
  const texts = await Promise.all(
    files.filter((file) => file.endsWith(".ts")).map((file) =>
      readFile(join(ROOT, "src", file), "utf8")
    ),
  );
  return texts.join("\n");
}

Deno.test("server.json keeps the registry's field rules", () => {
  assert.equal(
    server.$schema,
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  );
  assert.match(server.name, /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
  assert.ok(server.name.length >= 3);
  assert.ok(server.name.length <= 200);
  assert.ok(server.description.length >= 1);
  assert.ok(
    server.description.length <= 100,
    `description has ${server.description.length} characters, at most 100 fit`,
  );
  // The registry rejects ranges and "latest" because it wants one release.
  assert.match(server.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.match(npmPackage().version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});

Deno.test("server.json names the package and version of deno.json", () => {
  const npm = npmPackage();

  assert.equal(server.version, config.version);
  assert.equal(npm.identifier, config.name);
  assert.equal(npm.version, config.version);
  assert.equal(npm.registryBaseUrl, "https://registry.npmjs.org");
  assert.equal(npm.transport.type, "stdio");
  assert.equal(npm.runtimeHint, "npx");
});

Deno.test("npm package claims the server.json name", () => {
  const manifest = packageManifest(config, [], server.name);

  assert.equal(manifest.mcpName, server.name);
  assert.equal(manifest.name, npmPackage().identifier);
  assert.equal(manifest.version, server.version);
});

Deno.test("server.json entry point starts the MCP server", () => {
  // npx runs the bin named like the package without its scope.
  const binName = npmPackage().identifier.replace(/^@[^/]+\//, "");
  const bin = BINS.find((spec) => spec.name === binName);
  assert.ok(bin !== undefined, `the npm package has no ${binName} command`);
  assert.equal(bin.exportKey, "./cli");
  const entry = config.exports[bin.exportKey];
  assert.ok(entry !== undefined, `deno.json exports no ${bin.exportKey}`);
  assert.ok(existsSync(join(ROOT, entry)), `${entry} is missing`);

  const words = (npmPackage().packageArguments ?? []).map((arg) => arg.value);
  assert.deepEqual(words, ["serve"]);
  const command = COMMANDS.find((c) => c.words.join(" ") === words.join(" "));
  assert.ok(command !== undefined, `the CLI has no ${words.join(" ")} command`);
});

Deno.test("server.json lists exactly the variables the server reads", async () => {
  const listed = (npmPackage().environmentVariables ?? []).map((v) => v.name)
    .sort();
  const read = [
    ...new Set((await sourceText()).match(/\bTENANT_PAIR_[A-Z_]+\b/g) ?? []),
  ].sort();

  assert.deepEqual(listed, read);
  for (const variable of npmPackage().environmentVariables ?? []) {
    assert.ok(
      (variable.description ?? "").length > 0,
      `${variable.name} has no description`,
    );
    assert.equal(variable.isRequired, false, `${variable.name} is optional`);
  }
});
