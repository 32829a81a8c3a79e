/**
 * The generated files of the npm package: `package.json`, the `bin`
 * launchers, and the module that replaces `deno.json` imports.
 *
 * @module
 */

import type { NpmDependency } from "./_npm_sources.ts";

/** The parts of `deno.json` the npm build reads. */
export interface DenoConfig {
  name: string;
  version: string;
  license?: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
  compilerOptions?: Record<string, unknown>;
}

/** The oldest Node.js with `node:sqlite`, which the SQLite store imports. */
export const MIN_NODE_VERSION = "22.5.0";

/** Folder inside the package that contains the compiled modules. */
export const MODULE_DIR = "esm";

const DESCRIPTION = "Multi-user tenancy for MCP servers: pairs, invites, " +
  "private preferences, bi-temporal shared state, conflicts and GDPR erasure";

/** A command the package installs, with the launcher that starts it. */
export interface BinSpec {
  /** Command name, as in `npx tenant-pair`. */
  name: string;
  /** The `deno.json` export the command belongs to. */
  exportKey: string;
  /** Launcher source, which runs what the entry runs under `import.meta.main`. */
  source: string;
}

// Node 22.12 and 22.13 have no `import.meta.main`, so there the entry modules
// would run nothing. These launchers do what the entries' main blocks do, on
// every Node release.
/** The commands of the package. */
export const BINS: BinSpec[] = [
  {
    name: "tenant-pair",
    exportKey: "./cli",
    source: `#!/usr/bin/env node
// The tenant-pair command line. Its Deno entry is cli.ts.
import process from "node:process";
import config from "../${MODULE_DIR}/deno_json.js";
import { main } from "../${MODULE_DIR}/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2), {
  version: config.version,
});
`,
  },
  {
    name: "tenant-pair-mcp",
    exportKey: "./server",
    source: `#!/usr/bin/env node
// The tenant-pair MCP server on stdio. Its Deno entry is server.ts.
import process from "node:process";
import { main } from "../${MODULE_DIR}/server.js";

process.exit(await main(process.argv.slice(2)));
`,
  },
];

/** Maps a source module to its compiled path, such as `./esm/mod.js`. */
export function compiledPath(
  source: string,
  extension: ".js" | ".d.ts",
): string {
  return `./${MODULE_DIR}/${
    source.replace(/^\.\//, "").replace(/\.ts$/, "")
  }${extension}`;
}

/**
 * Builds the source of the module that replaces `import … from "deno.json"`,
 * carrying only the name and version.
 */
export function configModuleSource(config: DenoConfig): string {
  const fields = JSON.stringify(
    { name: config.name, version: config.version },
    null,
    2,
  );
  return `/** Name and version of the package, copied from deno.json. */
const config: { name: string; version: string } = ${fields};

export default config;
`;
}

/**
 * Builds the `package.json` of the npm package. `mcpName` is the server's
 * name in the MCP registry, which checks that the npm package claims it.
 */
export function packageManifest(
  config: DenoConfig,
  dependencies: NpmDependency[],
  mcpName: string,
): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const [key, source] of Object.entries(config.exports)) {
    exports[key] = {
      types: compiledPath(source, ".d.ts"),
      import: compiledPath(source, ".js"),
    };
  }
  exports["./package.json"] = "./package.json";

  const bin: Record<string, string> = {};
  for (const spec of BINS) {
    bin[spec.name] = `./bin/${spec.name}.js`;
  }

  const sorted = [...dependencies].sort((a, b) => a.name.localeCompare(b.name));
  const root = config.exports["."] ?? "./mod.ts";
  return {
    name: config.name,
    version: config.version,
    description: DESCRIPTION,
    license: config.license ?? "MIT",
    keywords: ["mcp", "multi-tenant", "sqlite", "postgres", "gdpr"],
    mcpName,
    type: "module",
    engines: { node: `>=${MIN_NODE_VERSION}` },
    main: compiledPath(root, ".js"),
    types: compiledPath(root, ".d.ts"),
    exports,
    bin,
    files: [`${MODULE_DIR}/`, "bin/", "README.md", "LICENSE", "CHANGELOG.md"],
    dependencies: Object.fromEntries(sorted.map((d) => [d.name, d.range])),
    publishConfig: { access: "public" },
  };
}
