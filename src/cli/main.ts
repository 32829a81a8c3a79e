import process from "node:process";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Environment } from "../config.ts";
import { TenantPairError } from "../errors.ts";
import {
  type Command,
  type FlagSpec,
  GLOBAL_FLAGS,
  PROGRAM,
  UsageError,
} from "./command.ts";
import { CONFLICT_COMMANDS } from "./conflict_commands.ts";
import { DatabaseSession } from "./database.ts";
import { Flags, type FlagValue } from "./flags.ts";
import { formatCommandHelp, formatGroupHelp, formatOverview } from "./help.ts";
import { MEMBER_COMMANDS } from "./member_commands.ts";
import { PAIR_COMMANDS } from "./pair_commands.ts";
import { SERVE_COMMAND } from "./serve_command.ts";
import { STATE_COMMANDS } from "./state_commands.ts";

/** Every command, in the order the overview lists them. */
export const COMMANDS: readonly Command[] = [
  ...PAIR_COMMANDS,
  ...MEMBER_COMMANDS,
  ...STATE_COMMANDS,
  ...CONFLICT_COMMANDS,
  SERVE_COMMAND,
];

/** Options for {@linkcode main}. */
export interface MainOptions {
  /**
   * The version `--version` prints.
   * @default {"unknown"}
   */
  version?: string;
  /**
   * The environment for `TENANT_PAIR_DB` and the other settings.
   * @default {process.env}
   */
  env?: Environment;
}

/** Exit status of a run without errors. */
export const EXIT_OK = 0;
/** Exit status after a `TenantPairError` or another failure. */
export const EXIT_ERROR = 1;
/** Exit status after a usage error. */
export const EXIT_USAGE = 2;

function write(stream: "stdout" | "stderr", text: string): void {
  process[stream].write(text.endsWith("\n") ? text : `${text}\n`);
}

function isHelp(arg: string): boolean {
  return arg === "--help" || arg === "-h";
}

/** A command found from the words at the start of the arguments. */
interface Found {
  command: Command;
  rest: string[];
}

/**
 * Finds the command named by the leading words, or returns the help of a
 * group named without a command.
 *
 * @throws {UsageError} for an unknown or incomplete command.
 */
function findCommand(args: string[]): Found | string {
  const [first, second] = args;
  if (first === undefined || first.startsWith("-")) {
    throw new UsageError(
      first === undefined
        ? "Missing a command"
        : `Expected a command before ${first}; flags follow the command words, as in: ${PROGRAM} state get --pair-id P --json`,
    );
  }
  const single = COMMANDS.find((c) =>
    c.words.length === 1 && c.words[0] === first
  );
  if (single !== undefined) return { command: single, rest: args.slice(1) };

  const group = COMMANDS.filter((c) => c.words[0] === first);
  if (group.length === 0) throw new UsageError(`Unknown command "${first}"`);
  if (second === undefined || second.startsWith("-")) {
    if (second !== undefined && isHelp(second)) {
      return formatGroupHelp(first, group);
    }
    const names = group.map((c) => c.words[1]).join(", ");
    throw new UsageError(
      `Missing a command after "${first}": one of ${names}`,
      [first],
    );
  }
  const command = group.find((c) => c.words[1] === second);
  if (command === undefined) {
    throw new UsageError(`Unknown command "${first} ${second}"`, [first]);
  }
  return { command, rest: args.slice(2) };
}

function parserOptions(
  flags: Record<string, FlagSpec>,
): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, spec] of Object.entries(flags)) {
    // Every flag is collected as a list so a repeated flag can be reported.
    options[name] = { type: spec.type, multiple: true };
  }
  options.help = { type: "boolean", short: "h", multiple: true };
  return options;
}

/** Rewords the errors of `parseArgs` in this program's terms. */
function parseError(error: unknown, words: string[]): UsageError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
  const command = words.join(" ");
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`Unknown flag ${flag} for "${command}"`, words);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const value = /'([^']*)'/.exec(message)?.[1] ?? "";
      return new UsageError(
        `Unexpected argument "${value}": every value follows its flag, as in --key dinner`,
        words,
      );
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("does not take an argument")) {
        return new UsageError(`Flag ${flag} takes no value`, words);
      }
      if (message.includes("ambiguous")) {
        return new UsageError(
          `Missing value for ${flag}; to give a value that starts with a dash, write ${flag}=-1`,
          words,
        );
      }
      return new UsageError(`Missing value for ${flag}`, words);
    default:
      return new UsageError(message, words);
  }
}

/** Parses and checks the flags after the command words. */
function parseFlags(command: Command, rest: string[]): Flags | "help" {
  const specs = { ...command.flags, ...GLOBAL_FLAGS };
  let values: Record<string, FlagValue>;
  try {
    values = parseArgs({
      args: rest,
      options: parserOptions(specs),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, FlagValue>;
  } catch (error) {
    if (rest.some(isHelp)) return "help";
    throw parseError(error, command.words);
  }
  if (values.help !== undefined) return "help";

  for (const [name, spec] of Object.entries(specs)) {
    const given = values[name];
    if (Array.isArray(given) && given.length > 1 && spec.multiple !== true) {
      throw new UsageError(
        `Flag --${name} given more than once`,
        command.words,
      );
    }
  }
  const missing = Object.entries(specs)
    .filter(([name, spec]) => spec.required === true && !(name in values))
    .map(([name]) => `--${name}`);
  if (missing.length > 0) {
    const noun = missing.length === 1 ? "flag" : "flags";
    throw new UsageError(
      `Missing required ${noun} ${missing.join(", ")}`,
      command.words,
    );
  }
  if (Array.isArray(values.db) && values.db[0] === "") {
    throw new UsageError(
      "Invalid --db: must not be empty; give a file path, :memory: or a postgres:// URL",
      command.words,
    );
  }
  return new Flags(values, command.words);
}

function hint(words: string[]): string {
  const target = words.length === 0 ? "" : ` ${words.join(" ")}`;
  return `Run "${PROGRAM}${target} --help" for usage.`;
}

/** Prints an error on stderr and returns the exit status for it. */
function report(error: unknown, json: boolean, env: Environment): number {
  const debug = env.TENANT_PAIR_LOG_LEVEL === "debug";
  let status = EXIT_ERROR;
  let body: Record<string, unknown>;
  let text: string;
  if (error instanceof UsageError) {
    status = EXIT_USAGE;
    body = { code: "USAGE", message: error.message, hint: hint(error.words) };
    text = `${PROGRAM}: ${error.message}\n${hint(error.words)}`;
  } else if (error instanceof TenantPairError) {
    body = { code: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    text = `${PROGRAM}: ${error.code}: ${error.message}`;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    body = { code: "UNEXPECTED", message };
    text = `${PROGRAM}: unexpected error: ${message}`;
  }
  if (debug && error instanceof Error && error.stack !== undefined) {
    text = `${text}\n${error.stack}`;
  }
  write("stderr", json ? JSON.stringify({ error: body }) : text);
  return status;
}

/** Runs a found command: parse, open the database lazily, print, close. */
async function runCommand(
  found: Found,
  env: Environment,
  version: string,
): Promise<number> {
  const { command, rest } = found;
  const flags = command.passThrough === true
    ? (rest.some(isHelp) ? "help" : new Flags({}, command.words))
    : parseFlags(command, rest);
  if (flags === "help") {
    write("stdout", formatCommandHelp(command));
    return EXIT_OK;
  }
  const warn = (message: string) => write("stderr", `${PROGRAM}: ${message}`);
  const session = new DatabaseSession(env, flags.string("db"), warn);
  try {
    const output = await command.run(flags, {
      tenants: () => session.tenants(),
      env,
      db: flags.string("db"),
      warn,
      args: rest,
      version,
    });
    if (flags.switch("json")) {
      write("stdout", JSON.stringify(output.json, null, 2));
    } else if (output.text !== "") {
      write("stdout", output.text);
    }
    return output.status ?? EXIT_OK;
  } finally {
    await session.close();
  }
}

/**
 * Runs the command line `args` (without the program name) and returns the
 * exit status: 0 on success, 1 after an error from the library, 2 after a
 * usage error. Results go to stdout, diagnostics and errors to stderr.
 *
 * @example Create a pair in a throwaway database
 * ```ts ignore
 * import { main } from "./main.ts";
 *
 * const status = await main([
 *   "pair", "create", "--member-id", "alice", "--db", ":memory:", "--json",
 * ]);
 * ```
 */
export async function main(
  args: string[],
  options: MainOptions = {},
): Promise<number> {
  const env = options.env ?? process.env;
  const json = args.includes("--json");
  const [first] = args;
  if (first !== undefined && isHelp(first)) {
    write("stdout", formatOverview(COMMANDS));
    return EXIT_OK;
  }
  if (first === "--version") {
    write("stdout", `${PROGRAM} ${options.version ?? "unknown"}`);
    return EXIT_OK;
  }
  if (first === "help") {
    return await main([...args.slice(1), "--help"], options);
  }

  try {
    const found = findCommand(args);
    if (typeof found === "string") {
      write("stdout", found);
      return EXIT_OK;
    }
    return await runCommand(found, env, options.version ?? "unknown");
  } catch (error) {
    return report(error, json, env);
  }
}
