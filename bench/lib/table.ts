import type { BenchRow } from './result.js';

/** The markdown table that `npm run bench` prints and BENCHMARKS.md quotes. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| what | measured | bar | result |', '|---|---|---|---|'];
  for (const row of rows) {
    const result = row.pass === null ? 'reported' : row.pass ? 'pass' : '**FAIL**';
    lines.push(`| ${cell(row.what)} | ${cell(row.measured)} | ${cell(row.bar)} | ${result} |`);
  }
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
