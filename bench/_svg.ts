import type { CaseResult } from "./_harness.ts";
import { titleOf } from "./_report.ts";

const WIDTH = 980;
const LABEL_WIDTH = 440;
const VALUE_WIDTH = 110;
const ROW_HEIGHT = 20;
const TOP = 46;
const BOTTOM = 52;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;

const COLORS = {
  raw: "#7a7a7a",
  writeNormal: "#2f6db3",
  writeFull: "#9cbde3",
  read: "#3d8f5a",
} as const;

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function colorOf(result: CaseResult): string {
  if (result.id === "raw") return COLORS.raw;
  if (result.kind === "read") return COLORS.read;
  return result.synchronous === "FULL" ? COLORS.writeFull : COLORS.writeNormal;
}

/** Shortens a case's label so it fits left of the bars. */
function labelOf(result: CaseResult): string {
  const title = titleOf(result);
  const variant = result.variant
    .replace("one transaction per insert", "1 transaction each")
    .replace("all in one transaction", "all in 1 transaction")
    .replace("engine=", "")
    .replaceAll("synchronous=", "");
  return `${result.id}  ${title}  (${variant})`;
}

function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

/**
 * Draws median ops/s per case as horizontal bars on a log scale, with a
 * whisker from the slowest to the fastest run.
 */
export function renderChart(results: CaseResult[], title: string): string {
  const lows = results.map((r) => Math.max(r.opsPerSecond.min, 1e-3));
  const highs = results.map((r) => Math.max(r.opsPerSecond.max, 1e-3));
  const minDecade = Math.floor(Math.log10(Math.min(...lows)));
  const maxDecade = Math.ceil(Math.log10(Math.max(...highs)));
  const span = Math.max(1, maxDecade - minDecade);
  const x = (value: number) =>
    LABEL_WIDTH +
    ((Math.log10(Math.max(value, 1e-3)) - minDecade) / span) * PLOT_WIDTH;
  const height = TOP + results.length * ROW_HEIGHT + BOTTOM;
  const plotBottom = TOP + results.length * ROW_HEIGHT;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${
      escapeXml(title)
    }</text>`,
    `<text x="10" y="36" fill="#555">median ops/s per workload, log scale; whiskers span the slowest and fastest of the timed runs</text>`,
  ];
  for (let decade = minDecade; decade <= maxDecade; decade++) {
    const gx = x(10 ** decade).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${
        TOP - 4
      }" x2="${gx}" y2="${plotBottom}" stroke="#ddd"/>`,
      `<text x="${gx}" y="${
        plotBottom + 16
      }" text-anchor="middle" fill="#555">${compact(10 ** decade)}</text>`,
    );
  }
  for (const [i, result] of results.entries()) {
    const y = TOP + i * ROW_HEIGHT;
    const middle = y + ROW_HEIGHT / 2;
    const label = labelOf(result);
    const end = x(result.opsPerSecond.median);
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${middle + 4}" text-anchor="end">${
        escapeXml(label)
      }</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${
        Math.max(1, end - LABEL_WIDTH).toFixed(1)
      }" height="${ROW_HEIGHT - 6}" fill="${colorOf(result)}"/>`,
      `<line x1="${x(result.opsPerSecond.min).toFixed(1)}" y1="${middle}" x2="${
        x(result.opsPerSecond.max).toFixed(1)
      }" y2="${middle}" stroke="#222"/>`,
      `<text x="${WIDTH - VALUE_WIDTH}" y="${middle + 4}">${
        compact(result.opsPerSecond.median)
      }/s</text>`,
    );
  }
  const legend: [string, string][] = [
    [COLORS.raw, "raw INSERT reference"],
    [COLORS.writeNormal, "write, synchronous=NORMAL (default)"],
    [COLORS.writeFull, "write, synchronous=FULL"],
    [COLORS.read, "read"],
  ];
  let lx = 10;
  const ly = height - 12;
  for (const [color, text] of legend) {
    parts.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${color}"/>`,
      `<text x="${lx + 16}" y="${ly}">${escapeXml(text)}</text>`,
    );
    lx += 24 + text.length * 6.5;
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
