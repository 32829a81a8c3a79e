import type { Environment } from "../config.ts";
import type { TenantPair } from "../tenant_pair.ts";
import type { Flags } from "./flags.ts";

/** One flag of a command, as parsed and as shown in its help. */
export interface FlagSpec {
  /** Whether the flag takes a value or is a switch. */
  type: "string" | "boolean";
  /** The value's placeholder in help, such as `ID`. */
  placeholder?: string;
  /** Whether the command fails with a usage error when the flag is missing. */
  required?: boolean;
  /** Whether the flag may be given more than once. */
  multiple?: boolean;
  /** The help text: what the flag sets, with its unit and limits. */
  description: string;
}

/** A command's result: a JSON document for `--json`, text otherwise. */
export interface CommandOutput {
  /** The document printed with `--json`. */
  json: unknown;
  /** The text printed without `--json`. */
  text: string;
  /**
   * The exit status, for commands that report their own.
   * @default {0}
   */
  status?: number;
}

/** The services a running command may use besides its flags. */
export interface CommandContext {
  /** Opens the database on first call and returns the service over it. */
  tenants(): Promise<TenantPair>;
  /** The environment the command runs in. */
  env: Environment;
  /** The `--db` flag, if given. */
  db: string | undefined;
  /** Writes a diagnostic line to stderr. */
  warn(message: string): void;
  /** The arguments after the command words, for pass-through commands. */
  args: string[];
  /** The release of this program. */
  version: string;
}

/** A command: its words, its help and what it does. */
export interface Command {
  /** The command words, such as `["pair", "create"]`. */
  words: string[];
  /** One line for the command list. */
  summary: string;
  /** Further paragraphs for the command's own help. */
  details?: string[];
  /** The command's own flags; `--db`, `--json` and `--help` are added. */
  flags: Record<string, FlagSpec>;
  /** Example invocations, without the program name. */
  examples?: string[];
  /**
   * Whether the command gets the arguments after its words unparsed, in
   * `context.args`; `flags` then lists them for help only.
   */
  passThrough?: boolean;
  /**
   * Runs the command. Flag values are checked before the database opens, so
   * a usage error never touches the store.
   */
  run(flags: Flags, context: CommandContext): Promise<CommandOutput>;
}

/** An unknown command or flag, a missing flag, or an invalid flag value. */
export class UsageError extends Error {
  /** The command words whose help the hint points to. */
  readonly words: string[];

  /** Creates a usage error about the command with the given words. */
  constructor(message: string, words: string[] = []) {
    super(message);
    this.name = "UsageError";
    this.words = words;
  }
}

/** Flags every command takes. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  db: {
    type: "string",
    placeholder: "PATH|URL",
    description:
      "the SQLite file, :memory:, or a postgres:// URL; default $TENANT_PAIR_DB, else $XDG_DATA_HOME/tenant-pair/tenant-pair.db (~/.local/share when unset)",
  },
  json: {
    type: "boolean",
    description:
      "print exactly one JSON document on stdout; errors go to stderr as JSON",
  },
  help: { type: "boolean", description: "show this help" },
};

/** The name the program goes by in help and messages. */
export const PROGRAM = "tenant-pair";
