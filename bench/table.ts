/** Plain-text tables for the benchmark's console output. */

export type Cell = string | number | undefined;

/** Formats a number with `digits` decimals and an integer without any. A missing value prints as `n/a`. */
export function formatNumber(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function cellText(cell: Cell): string {
  if (cell === undefined) return 'n/a';
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

/** Renders rows under a title, with each column padded to its widest cell and numbers aligned right. */
export function renderTable(title: string, header: string[], rows: Cell[][]): string {
  const texts = [header, ...rows.map((row) => row.map(cellText))];
  const widths = header.map((_, column) => Math.max(...texts.map((row) => (row[column] ?? '').length)));
  const isNumeric = header.map((_, column) => rows.every((row) => typeof row[column] !== 'string'));
  const line = (row: string[]) =>
    row.map((text, column) => (isNumeric[column] && column > 0 ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [title, line(header), rule, ...texts.slice(1).map(line)].join('\n');
}
