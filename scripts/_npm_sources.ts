/**
 * Collects the modules that the package entry points import and rewrites
 * their import specifiers from Deno's form to the form Node resolves.
 *
 * @module
 */

import { join, relative } from "node:path";

/** An npm package that the sources import, as declared in `deno.json`. */
export interface NpmDependency {
  /** Package name, such as `zod` or `@modelcontextprotocol/sdk`. */
  name: string;
  /** Version range from the `npm:` specifier, such as `^4.6.7`. */
  range: string;
}

/** One source file ready for the TypeScript compiler. */
export interface StagedSource {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  /** Source text with rewritten import specifiers. */
  text: string;
}

/** The rewritten module graph of the package entry points. */
export interface StagedGraph {
  sources: StagedSource[];
  /** Every npm package the sources import, by name. */
  dependencies: Map<string, NpmDependency>;
}

/** The file that replaces `deno.json` imports in the npm build. */
export const CONFIG_MODULE = "deno_json.ts";

/**
 * Packages whose `exports` map `./*` to files, so Node needs the `.js`
 * extension that Deno's import map lets the sources leave out.
 */
const EXTENSIONLESS_SUBPATH_PACKAGES = ["@modelcontextprotocol/sdk"];

interface InfoDependency {
  specifier: string;
  assertionType?: string;
}

interface InfoModule {
  kind: string;
  specifier: string;
  local?: string;
  mediaType?: string;
  dependencies?: InfoDependency[];
}

/**
 * Lists the local modules reachable from the entry points, with the import
 * specifiers each one writes, using `deno info --json`.
 */
async function readGraph(
  root: string,
  entries: string[],
): Promise<Map<string, InfoModule>> {
  const modules = new Map<string, InfoModule>();
  for (const entry of entries) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      stderr: "inherit",
    }).output();
    if (!output.success) {
      throw new Error(
        `Cannot read the module graph of ${entry}: deno info failed`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: InfoModule[];
    };
    for (const module of info.modules) {
      if (module.kind === "esm" && module.local !== undefined) {
        modules.set(module.local, module);
      }
    }
  }
  return modules;
}

/** Parses `npm:name@range/subpath`, as written in `deno.json` imports. */
function parseNpmSpecifier(
  specifier: string,
): { name: string; range: string; subpath: string } {
  const match = /^npm:\/?(@[^/@]+\/[^/@]+|[^/@]+)(?:@([^/]*))?(?:\/(.*))?$/
    .exec(specifier);
  if (match === null) {
    throw new Error(
      `Cannot read the npm specifier ${JSON.stringify(specifier)}`,
    );
  }
  return { name: match[1]!, range: match[2] ?? "*", subpath: match[3] ?? "" };
}

/**
 * Maps a bare or `npm:` specifier to the package path Node resolves, using
 * the import map of `deno.json` as Deno does: the exact key first, then the
 * longest key ending in `/` that prefixes the specifier.
 */
export function resolveBareSpecifier(
  specifier: string,
  imports: Record<string, string>,
): { target: string; dependency: NpmDependency } {
  let npm = specifier.startsWith("npm:") ? specifier : imports[specifier];
  if (npm === undefined) {
    const prefix = Object.keys(imports)
      .filter((key) => key.endsWith("/") && specifier.startsWith(key))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined) {
      npm = imports[prefix] + specifier.slice(prefix.length);
    }
  }
  if (npm === undefined || !npm.startsWith("npm:")) {
    throw new Error(
      `Cannot map the import ${
        JSON.stringify(specifier)
      } to an npm package: add it to the imports of deno.json as an npm: specifier`,
    );
  }

  const { name, range, subpath } = parseNpmSpecifier(npm);
  let target = subpath === "" ? name : `${name}/${subpath}`;
  const lastPart = subpath.split("/").at(-1) ?? "";
  if (
    EXTENSIONLESS_SUBPATH_PACKAGES.includes(name) && subpath !== "" &&
    !lastPart.includes(".")
  ) {
    target += ".js";
  }
  return { target, dependency: { name, range } };
}

/** Builds the relative path from a module to the `deno.json` replacement. */
function configModulePath(from: string, root: string): string {
  const path = relative(join(from, ".."), join(root, CONFIG_MODULE))
    .replaceAll("\\", "/")
    .replace(/\.ts$/, ".js");
  return path.startsWith(".") ? path : `./${path}`;
}

/**
 * Rewrites one module's import specifiers: relative `.ts` to `.js`,
 * `deno.json` to the generated config module, bare and `npm:` specifiers to
 * package paths. Only specifiers that `deno info` lists are touched, so import
 * lines inside doc examples stay as written.
 */
function rewriteModule(
  module: InfoModule,
  text: string,
  context: {
    root: string;
    imports: Record<string, string>;
    dependencies: Map<string, NpmDependency>;
  },
): string {
  const local = module.local!;
  const listed = new Map(
    (module.dependencies ?? []).map((dep) => [dep.specifier, dep]),
  );
  const rewritten = new Set<string>();

  const mapSpecifier = (specifier: string): string | undefined => {
    const dependency = listed.get(specifier);
    if (dependency === undefined || specifier.startsWith("node:")) {
      return undefined;
    }
    if (dependency.assertionType === "json") {
      if (!/(^|\/)deno\.json$/.test(specifier)) {
        throw new Error(
          `Cannot build ${local}: only deno.json may be imported as JSON`,
        );
      }
      return configModulePath(local, context.root);
    }
    if (specifier.startsWith("./") || specifier.startsWith("../")) {
      return specifier.replace(/\.ts$/, ".js");
    }
    if (specifier.startsWith("jsr:") || /^https?:/.test(specifier)) {
      throw new Error(
        `Cannot build ${local}: ${specifier} is not on npm; use an npm: import`,
      );
    }
    const { target, dependency: npm } = resolveBareSpecifier(
      specifier,
      context.imports,
    );
    context.dependencies.set(npm.name, npm);
    return target;
  };

  const importPattern =
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\2(\s*with\s*\{\s*type:\s*["']json["']\s*\})?/g;
  const result = text
    // Deno reads these hints; Node and tsc resolve types from the package.
    .replace(/^\s*\/\/ @ts-types=.*\n/gm, "")
    .replace(importPattern, (whole, lead, quote, specifier) => {
      const target = mapSpecifier(specifier);
      if (target === undefined) return whole;
      rewritten.add(specifier);
      return `${lead}${quote}${target}${quote}`;
    });

  for (const specifier of listed.keys()) {
    if (!specifier.startsWith("node:") && !rewritten.has(specifier)) {
      throw new Error(
        `Cannot build ${local}: found no import statement for ${specifier}`,
      );
    }
  }
  return result;
}

/**
 * Reads the module graph of the entry points and returns every local module
 * rewritten for Node, plus the npm packages they import.
 */
export async function stageSources(
  root: string,
  entries: string[],
  imports: Record<string, string>,
): Promise<StagedGraph> {
  const modules = await readGraph(root, entries);
  const dependencies = new Map<string, NpmDependency>();
  const sources: StagedSource[] = [];

  for (const [local, module] of modules) {
    const path = relative(root, local).replaceAll("\\", "/");
    if (path.startsWith("..")) {
      throw new Error(`Cannot build ${local}: it lies outside ${root}`);
    }
    const text = await Deno.readTextFile(local);
    sources.push({
      path,
      text: rewriteModule(module, text, { root, imports, dependencies }),
    });
  }
  sources.sort((a, b) => a.path.localeCompare(b.path));
  return { sources, dependencies };
}
