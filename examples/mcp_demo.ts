/**
 * Drives the MCP server through a household scenario with the SDK's own
 * client, the way two people's assistants would: each member gets a server
 * process bound to them, both on one temporary SQLite file.
 *
 * The steps live in `household.json`; each names the member, the tool, the
 * arguments and the expected result. The demo prints a transcript and exits
 * with 1 at the first step whose result is wrong.
 *
 * ```sh
 * deno task demo                      # the household scenario
 * deno run -A examples/mcp_demo.ts other.json
 * ```
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
// @ts-types="@modelcontextprotocol/sdk/client"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types";

/** One step of a scenario. */
interface Step {
  /** A sentence for the transcript; it may use `${…}` variables. */
  say: string;
  /** The member whose assistant makes the call. */
  as: string;
  /** The tool to call. */
  tool: string;
  /** The arguments; strings may use `${…}` variables. */
  args?: Record<string, unknown>;
  /** Paths into `structuredContent` and the values they must have. */
  expect?: Record<string, unknown>;
  /** The error code the call must fail with. */
  expectError?: string;
  /** Variables to keep: name to path into `structuredContent`. */
  save?: Record<string, string>;
  /** A variable that records the time right after this step. */
  mark?: string;
}

/** A scenario file. */
interface Scenario {
  title: string;
  members: string[];
  steps: Step[];
}

const SERVER = new URL("../server.ts", import.meta.url).pathname;
const DAY_MS = 86_400_000;

function print(line: string): void {
  // deno-lint-ignore no-console
  console.log(line);
}

/** Follows a dotted path; numeric parts index arrays, negative from the end. */
function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (Array.isArray(current) && part === "length") {
      current = current.length;
    } else if (Array.isArray(current) && /^-?\d+$/.test(part)) {
      current = current.at(Number(part));
    } else if (typeof current === "object" && current !== null) {
      current = (current as Record<string, unknown>)[part];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Replaces `${name}`, `${name|spoken}` (a short code as read aloud: lower
 * case, no dash) and `${daysAgo:N}` in strings, recursively. A string that is
 * one whole variable takes the variable's own type, such as a number.
 */
function fill(value: unknown, vars: Map<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => fill(item, vars));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fill(item, vars)]),
    );
  }
  if (typeof value !== "string") return value;
  const whole = /^\$\{([^}]+)\}$/.exec(value);
  if (whole !== null) return resolve(whole[1] as string, vars);
  return value.replace(
    /\$\{([^}]+)\}/g,
    (_match, name: string) => String(resolve(name, vars)),
  );
}

function resolve(expression: string, vars: Map<string, unknown>): unknown {
  const daysAgo = /^daysAgo:(\d+)$/.exec(expression);
  if (daysAgo !== null) {
    return new Date(Date.now() - Number(daysAgo[1]) * DAY_MS).toISOString();
  }
  const [name, filter] = expression.split("|");
  if (!vars.has(name as string)) {
    throw new Error(`Unknown variable "${name}" in the scenario`);
  }
  const value = vars.get(name as string);
  if (filter === "spoken") {
    return String(value).replace(/-/g, "").toLowerCase();
  }
  return value;
}

/**
 * Returns the current time once the clock has moved past it, so a write in
 * the next step is recorded strictly later than the returned time.
 */
async function markTime(): Promise<string> {
  const mark = Date.now();
  while (Date.now() <= mark) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return new Date(mark).toISOString();
}

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "";
}

/** Checks a result against a step; returns what is wrong, if anything. */
function check(
  step: Step,
  result: CallToolResult,
  vars: Map<string, unknown>,
): string[] {
  const text = textOf(result);
  if (step.expectError !== undefined) {
    if (result.isError !== true) {
      return [`expected ${step.expectError}, got success`];
    }
    if (!text.startsWith(`${step.expectError}: `)) {
      return [`expected ${step.expectError}, got ${text}`];
    }
    return [];
  }
  if (result.isError === true) return [`failed: ${text}`];
  const problems: string[] = [];
  for (const [path, wanted] of Object.entries(step.expect ?? {})) {
    const expected = fill(wanted, vars);
    const actual = lookup(result.structuredContent, path);
    if (!isDeepStrictEqual(actual, expected)) {
      problems.push(
        `${path} is ${JSON.stringify(actual)}, expected ${
          JSON.stringify(expected)
        }`,
      );
    }
  }
  return problems;
}

async function connect(
  memberId: string,
  db: string,
): Promise<Client> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", "--quiet", SERVER],
    env: {
      TENANT_PAIR_DB: db,
      TENANT_PAIR_MEMBER_ID: memberId,
      TENANT_PAIR_LOG_LEVEL: "warn",
    },
    stderr: "inherit",
  });
  const client = new Client({
    name: `${memberId}-assistant`,
    version: "1.0.0",
  });
  await client.connect(transport);
  return client;
}

/** Runs a scenario and returns the exit code: 0 when every step held. */
export async function runScenario(scenario: Scenario): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-demo-" });
  const clients = new Map<string, Client>();
  try {
    for (const member of scenario.members) {
      clients.set(member, await connect(member, `${dir}/household.db`));
    }
    print(
      `${scenario.title}: ${scenario.members.length} assistants connected\n`,
    );
    const vars = new Map<string, unknown>();
    for (const [index, step] of scenario.steps.entries()) {
      const client = clients.get(step.as);
      if (client === undefined) throw new Error(`Unknown member "${step.as}"`);
      const args = fill(step.args ?? {}, vars) as Record<string, unknown>;
      print(`${index + 1}. ${String(fill(step.say, vars))}`);
      print(`   ${step.as} → ${step.tool} ${JSON.stringify(args)}`);
      const result = await client.callTool({
        name: step.tool,
        arguments: args,
      }) as CallToolResult;
      const problems = check(step, result, vars);
      const summary = textOf(result).split("\n")[0] ?? "";
      if (problems.length > 0) {
        print(`   ✗ ${summary}`);
        for (const problem of problems) print(`     wrong: ${problem}`);
        return 1;
      }
      print(`   ✓ ${summary}`);
      for (const path of Object.keys(step.expect ?? {})) {
        const actual = lookup(result.structuredContent, path);
        print(`     ${path} = ${JSON.stringify(actual)}`);
      }
      print("");
      for (const [name, path] of Object.entries(step.save ?? {})) {
        vars.set(name, lookup(result.structuredContent, path));
      }
      if (step.mark !== undefined) vars.set(step.mark, await markTime());
    }
    print(`All ${scenario.steps.length} steps gave the expected results.`);
    return 0;
  } finally {
    for (const client of clients.values()) await client.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const file = Deno.args[0] ??
    new URL("./household.json", import.meta.url).pathname;
  const scenario = JSON.parse(await Deno.readTextFile(file)) as Scenario;
  Deno.exit(await runScenario(scenario));
}
