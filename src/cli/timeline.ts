import type {
  HistoryEntry,
  PreferenceHistoryEntry,
  StateHistoryEntry,
} from "../types.ts";
import { formatTable, plural, showValue } from "./format.ts";

/** How to read the two time columns, printed above every timeline. */
const LEGEND =
  "VALID is when a value holds in the world; RECORDED is when the store learned it and when a later write replaced that knowledge.";

/** Words that flag what is special about one history entry. */
function notes(entry: HistoryEntry): string[] {
  const found: string[] = [];
  const validFrom = Date.parse(entry.validFrom);
  const recordedAt = Date.parse(entry.recordedAt);
  if (validFrom < recordedAt) found.push("backdated");
  if (validFrom > recordedAt) found.push("future");
  if (entry.supersededAt !== null) found.push("superseded");
  if (entry.resolution !== null) found.push(entry.resolution);
  if ((entry as Partial<StateHistoryEntry>).deleted === true) {
    found.push("deleted");
  }
  if ((entry as Partial<PreferenceHistoryEntry>).sharedWithPair === true) {
    found.push("shared");
  }
  return found;
}

function row(entry: HistoryEntry): string[] {
  const candidateId = (entry as Partial<StateHistoryEntry>).candidateId;
  const label = entry.version !== null
    ? String(entry.version)
    : candidateId ?? "-";
  return [
    label,
    `${entry.validFrom} → ${entry.validTo ?? "open"}`,
    `${entry.recordedAt} → ${entry.supersededAt ?? "now"}`,
    entry.writtenByMemberId,
    notes(entry).join(", "),
    (entry as Partial<StateHistoryEntry>).deleted === true
      ? "-"
      : showValue(entry.value),
  ];
}

/**
 * Shows a key's history as a timeline: one line per version or pending
 * candidate, in the store's order, with valid time and recorded time side
 * by side. A backdated correction stands out because its valid time starts
 * before its recorded time.
 */
export function formatTimeline(
  title: string,
  entries: readonly HistoryEntry[],
): string {
  if (entries.length === 0) return `${title}: no versions.`;
  const versions = entries.filter((entry) => entry.version !== null).length;
  const candidates = entries.length - versions;
  const counts = candidates === 0
    ? plural(versions, "version")
    : `${plural(versions, "version")}, ${plural(candidates, "candidate")}`;
  const table = formatTable(
    ["VERSION", "VALID", "RECORDED", "BY", "NOTE", "VALUE"],
    entries.map(row),
  );
  return `${title}: ${counts}.\n${LEGEND}\n\n${table}`;
}
