/**
 * Builds the npm package of tenant-pair from the sources that JSR publishes:
 * ES modules and `.d.ts` types compiled by TypeScript, a `package.json` with
 * the version of `deno.json`, `bin` launchers for the CLI and the MCP server,
 * and the README, license and changelog.
 *
 * ```sh
 * deno task build:npm                 # writes dist/npm/
 * deno task build:npm --out-dir DIR   # writes DIR instead
 * ```
 *
 * The compiler and Node type definitions come from the npm registry into
 * `dist/.npm_build/`, which later builds reuse.
 *
 * @module
 */

import { existsSync } from "node:fs";
import {
  chmod,
  copyFile,
  mkdir,
  readFile,
  rm,
  writeFile,
} from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  BINS,
  compiledPath,
  configModuleSource,
  type DenoConfig,
  MODULE_DIR,
  packageManifest,
} from "./_npm_manifest.ts";
import { CONFIG_MODULE, stageSources } from "./_npm_sources.ts";

/** TypeScript release for the npm build, the major that Deno 2.9 checks with. */
const TYPESCRIPT_VERSION = "6.0.3";
/** Node type definitions matching the oldest supported Node major. */
const NODE_TYPES_VERSION = "^22.20.0";
/** Files copied from the repository root into the package as they are. */
const COPIED_FILES = ["README.md", "LICENSE", "CHANGELOG.md"];

/** Options for {@linkcode buildNpm}. */
export interface BuildNpmOptions {
  /**
   * The repository root, where `deno.json` is.
   * @default {the parent folder of this script}
   */
  root?: string;
  /**
   * Package folder to write. Its old contents are removed first.
   * @default {"<root>/dist/npm"}
   */
  outDir?: string;
  /**
   * Receives progress lines.
   * @default {a writer to stderr}
   */
  log?: (line: string) => void;
}

/** Result of {@linkcode buildNpm}. */
export interface BuildNpmResult {
  /** The package folder, ready for `npm pack` or `npm publish`. */
  outDir: string;
  /** The generated `package.json`. */
  manifest: Record<string, unknown>;
}

/** Runs a command quietly and throws with its output when it fails. */
async function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<void> {
  const output = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const decoder = new TextDecoder();
    throw new Error(
      `Cannot build the npm package: ${command} ${
        args.join(" ")
      } exited with ${output.code}\n${decoder.decode(output.stdout)}${
        decoder.decode(output.stderr)
      }`,
    );
  }
}

/** Installs the compiler, Node types and runtime packages for type checks. */
async function prepareToolchain(
  buildDir: string,
  dependencies: Record<string, string>,
): Promise<void> {
  const manifest = {
    name: "tenant-pair-npm-build",
    private: true,
    type: "module",
    dependencies,
    devDependencies: {
      "@types/node": NODE_TYPES_VERSION,
      typescript: TYPESCRIPT_VERSION,
    },
  };
  await writeFile(
    join(buildDir, "package.json"),
    JSON.stringify(manifest, null, 2) + "\n",
  );
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    "--loglevel=error",
  ], buildDir);
}

/** Writes the tsconfig that compiles the staged sources into `moduleDir`. */
async function writeTsconfig(
  buildDir: string,
  moduleDir: string,
  files: string[],
  strictness: Record<string, unknown>,
): Promise<string> {
  const tsconfig = {
    compilerOptions: {
      ...strictness,
      target: "ES2023",
      lib: ["ES2023"],
      types: ["node"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      declaration: true,
      rootDir: "sources",
      outDir: moduleDir,
      skipLibCheck: true,
      newLine: "lf",
    },
    files: files.map((file) => `sources/${file}`),
  };
  const path = join(buildDir, "tsconfig.json");
  await writeFile(path, JSON.stringify(tsconfig, null, 2) + "\n");
  return path;
}

/** Keeps the strictness flags of `deno.json` so tsc checks what Deno checks. */
function strictnessOf(config: DenoConfig): Record<string, unknown> {
  const keys = [
    "strict",
    "noUncheckedIndexedAccess",
    "exactOptionalPropertyTypes",
  ];
  const options = config.compilerOptions ?? {};
  return Object.fromEntries(
    keys.filter((key) => key in options).map((key) => [key, options[key]]),
  );
}

/**
 * Builds the npm package into `outDir`.
 *
 * @throws {Error} When an import cannot be mapped to an npm package, npm
 * cannot install the toolchain, or TypeScript reports an error.
 */
export async function buildNpm(
  options: BuildNpmOptions = {},
): Promise<BuildNpmResult> {
  const root = resolve(options.root ?? join(import.meta.dirname!, ".."));
  const outDir = resolve(options.outDir ?? join(root, "dist", "npm"));
  const log = options.log ?? ((line) => process.stderr.write(line + "\n"));
  const config = JSON.parse(
    await readFile(join(root, "deno.json"), "utf8"),
  ) as DenoConfig;

  const entries = Object.values(config.exports);
  const staged = await stageSources(root, entries, config.imports ?? {});
  log(`Staged ${staged.sources.length} modules from ${entries.join(", ")}`);

  const buildDir = join(root, "dist", ".npm_build");
  const sourceDir = join(buildDir, "sources");
  await rm(sourceDir, { recursive: true, force: true });
  for (const source of staged.sources) {
    const target = join(sourceDir, source.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, source.text);
  }
  await writeFile(join(sourceDir, CONFIG_MODULE), configModuleSource(config));

  const dependencies = [...staged.dependencies.values()];
  log(`Installing TypeScript ${TYPESCRIPT_VERSION} and the npm dependencies`);
  await prepareToolchain(
    buildDir,
    Object.fromEntries(dependencies.map((d) => [d.name, d.range])),
  );

  await rm(outDir, { recursive: true, force: true });
  const moduleDir = join(outDir, MODULE_DIR);
  const tsconfig = await writeTsconfig(
    buildDir,
    moduleDir,
    entries.map((entry) => entry.replace(/^\.\//, "")),
    strictnessOf(config),
  );
  log(`Compiling to ${moduleDir}`);
  await run("node", [
    join(buildDir, "node_modules", "typescript", "bin", "tsc"),
    "--project",
    tsconfig,
  ], buildDir);

  await writePackageFiles(root, outDir, config);
  const server = JSON.parse(
    await readFile(join(root, "server.json"), "utf8"),
  ) as { name: string };
  const manifest = packageManifest(config, dependencies, server.name);
  await writeFile(
    join(outDir, "package.json"),
    JSON.stringify(manifest, null, 2) + "\n",
  );
  log(`Wrote ${config.name}@${config.version} to ${outDir}`);
  return { outDir, manifest };
}

/** Writes the launchers and copies the README, license and changelog. */
async function writePackageFiles(
  root: string,
  outDir: string,
  config: DenoConfig,
): Promise<void> {
  await mkdir(join(outDir, "bin"), { recursive: true });
  for (const spec of BINS) {
    const source = config.exports[spec.exportKey];
    if (source === undefined || !existsSync(join(root, source))) {
      throw new Error(
        `Cannot add the ${spec.name} command: deno.json exports no ${spec.exportKey} file`,
      );
    }
    const path = join(outDir, "bin", `${spec.name}.js`);
    await writeFile(path, spec.source);
    await chmod(path, 0o755);
  }

  for (const file of COPIED_FILES) {
    if (existsSync(join(root, file))) {
      await copyFile(join(root, file), join(outDir, file));
    }
  }

  if (!existsSync(join(outDir, compiledPath(config.exports["."]!, ".js")))) {
    throw new Error(`Cannot find the compiled root module in ${outDir}`);
  }
  for (const spec of BINS) {
    // The launchers import compiled modules by path, so a moved module shows
    // here instead of at a user's first run.
    for (const [, target] of spec.source.matchAll(/from "\.\.\/([^"]+)"/g)) {
      if (!existsSync(join(outDir, target!))) {
        throw new Error(
          `Cannot add the ${spec.name} command: its launcher imports ${target}, which the build did not write`,
        );
      }
    }
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { "out-dir": { type: "string" } },
  });
  const options: BuildNpmOptions = {};
  if (values["out-dir"] !== undefined) options.outDir = values["out-dir"];
  await buildNpm(options);
}
