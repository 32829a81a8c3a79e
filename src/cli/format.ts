import type { JsonValue, MemberRecord } from "../types.ts";

/** Code points that terminals draw two columns wide: emoji and CJK. */
const WIDE =
  /[\p{Extended_Pictographic}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u{FF01}-\u{FF60}]/u;

/** Code points that take no column of their own. */
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u{200D}\u{FE0F}]/u;

/**
 * Width of a text in terminal columns, so columns stay aligned around names
 * with emoji or CJK characters. An approximation of Unicode's East Asian
 * Width: rare symbols may still be off by a column.
 */
function width(text: string): number {
  let columns = 0;
  for (const char of text) {
    if (ZERO_WIDTH.test(char)) continue;
    columns += WIDE.test(char) ? 2 : 1;
  }
  return columns;
}

function padEnd(text: string, size: number): string {
  return text + " ".repeat(Math.max(0, size - width(text)));
}

/**
 * Lays out rows under upper-case headers in aligned columns, two spaces
 * apart. The last column is not padded, so long values do not push the
 * others apart.
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(width(header), ...rows.map((row) => width(row[column] ?? "")))
  );
  const last = headers.length - 1;
  const line = (cells: string[]): string =>
    cells.map((cell, column) =>
      column === last ? cell : padEnd(cell, widths[column] ?? 0)
    ).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** Lays out label and value pairs with the values in one column. */
export function formatFields(fields: [string, string][]): string {
  const size = Math.max(...fields.map(([label]) => width(label)));
  return fields.map(([label, value]) => `${padEnd(label, size)}  ${value}`)
    .join("\n");
}

/**
 * C1 controls, which JSON leaves raw, and bidirectional overrides and
 * isolates: printed raw they let a value disguise the terminal's table.
 */
const TERMINAL_UNSAFE = /[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Shows a JSON value on one line as JSON, so strings keep their quotes and
 * newlines and control characters stay escaped, C1 and bidirectional
 * controls included.
 */
export function showValue(value: JsonValue): string {
  return JSON.stringify(value).replace(
    TERMINAL_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Shows an optional text, or `-` when it is missing. */
export function showText(text: string | null | undefined): string {
  return text === null || text === undefined ? "-" : text;
}

/** Shows a count with its noun, such as `1 key` or `3 keys`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Shows a key to value map as a two-column table sorted by key. */
export function formatValues(
  values: Record<string, JsonValue>,
  empty: string,
): string {
  const keys = Object.keys(values).sort();
  if (keys.length === 0) return empty;
  return formatTable(
    ["KEY", "VALUE"],
    keys.map((key) => [key, showValue(values[key] ?? null)]),
  );
}

/** Shows members as a table, with why they left when any did. */
export function formatMembers(members: readonly MemberRecord[]): string {
  if (members.length === 0) return "No members.";
  const anyLeft = members.some((member) => member.leftAt !== null);
  const headers = ["MEMBER", "ROLE", "NAME", "JOINED AT"];
  if (anyLeft) headers.push("LEFT AT", "REASON");
  return formatTable(
    headers,
    members.map((member) => {
      const cells = [
        member.memberId,
        member.role,
        showText(member.displayName),
        member.joinedAt,
      ];
      if (anyLeft) {
        cells.push(showText(member.leftAt), showText(member.leftReason));
      }
      return cells;
    }),
  );
}
