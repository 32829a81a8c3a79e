import {
  type Command,
  type FlagSpec,
  GLOBAL_FLAGS,
  PROGRAM,
} from "./command.ts";

/** Help lines wrap at this many columns. */
const WIDTH = 80;

/** Splits text into lines of at most `width` columns, breaking at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function flagLabel(name: string, spec: FlagSpec): string {
  const short = name === "help" ? "-h, " : "";
  const value = spec.type === "string" ? ` ${spec.placeholder ?? "VALUE"}` : "";
  return `${short}--${name}${value}`;
}

/** Lists flags with their descriptions in a wrapped second column. */
function formatFlags(flags: Record<string, FlagSpec>): string[] {
  const entries = Object.entries(flags);
  const labels = entries.map(([name, spec]) => flagLabel(name, spec));
  const column = Math.min(28, Math.max(...labels.map((l) => l.length)) + 4);
  const lines: string[] = [];
  entries.forEach(([, spec], index) => {
    const label = `  ${labels[index]}`;
    const text = spec.required === true
      ? `${spec.description} (required)`
      : spec.description;
    const body = wrap(text, WIDTH - column);
    if (label.length + 2 > column) {
      lines.push(label);
    } else {
      lines.push(label.padEnd(column) + (body.shift() ?? ""));
    }
    lines.push(...body.map((line) => " ".repeat(column) + line));
  });
  return lines;
}

/** Formats the usage line: command words, then the required flags. */
function usageLine(command: Command): string {
  const required = Object.entries(command.flags)
    .filter(([, spec]) => spec.required === true)
    .map(([name, spec]) => flagLabel(name, spec));
  return [
    "Usage:",
    PROGRAM,
    ...command.words,
    ...required,
    "[flags]",
  ].join(" ");
}

/** Formats the full help of one command. */
export function formatCommandHelp(command: Command): string {
  const lines = [usageLine(command), "", `${command.summary}.`];
  for (const paragraph of command.details ?? []) {
    lines.push("", ...wrap(paragraph, WIDTH));
  }
  if (Object.keys(command.flags).length > 0) {
    lines.push("", "Flags:", ...formatFlags(command.flags));
  }
  if (command.passThrough !== true) {
    lines.push("", "Global flags:", ...formatFlags(GLOBAL_FLAGS));
  }
  if (command.examples !== undefined) {
    lines.push("", "Examples:");
    lines.push(...command.examples.map((example) => `  ${PROGRAM} ${example}`));
  }
  return lines.join("\n");
}

function commandList(commands: readonly Command[]): string[] {
  const names = commands.map((command) => command.words.join(" "));
  const column = Math.max(...names.map((name) => name.length)) + 4;
  const lines: string[] = [];
  commands.forEach((command, index) => {
    const previous = commands[index - 1];
    if (previous !== undefined && previous.words[0] !== command.words[0]) {
      lines.push("");
    }
    lines.push(`  ${(names[index] ?? "").padEnd(column)}${command.summary}`);
  });
  return lines;
}

/** Formats the help of a command group, such as `pair`. */
export function formatGroupHelp(
  group: string,
  commands: readonly Command[],
): string {
  return [
    `Usage: ${PROGRAM} ${group} <command> [flags]`,
    "",
    "Commands:",
    ...commandList(commands),
    "",
    `Run "${PROGRAM} ${group} <command> --help" for a command's flags.`,
  ].join("\n");
}

/** Formats the program's overview help. */
export function formatOverview(commands: readonly Command[]): string {
  return [
    `${PROGRAM}: multi-user tenancy for MCP servers, from the shell.`,
    "",
    `Usage: ${PROGRAM} <command> [flags]`,
    "",
    "Commands:",
    ...commandList(commands),
    "",
    "Flags follow the command words. Every command takes:",
    ...formatFlags(GLOBAL_FLAGS),
    "",
    ...wrap(
      "--member-id is always the acting member. Times are ISO 8601 with a zone, such as 2026-12-04T15:10:41.123Z. Exit status: 0 on success, 1 on an error from the library (its code and message on stderr), 2 on a usage error.",
      WIDTH,
    ),
    "",
    `Run "${PROGRAM} <command> --help" for a command's flags, and "${PROGRAM} --version" for the version.`,
  ].join("\n");
}
