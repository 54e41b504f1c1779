import { describe, expect, it } from 'vitest';
import {
  formatBar,
  formatBarLine,
  formatCount,
  formatDuration,
  formatEta,
  formatPercentage,
  formatPlainLine,
  formatRate,
} from '../../src/cli/format.js';
import { EMPTY_EXTENSIONS, type ProgressRecord } from '../../src/core/record.js';
import { Tick } from '../../src/core/tick.js';

const NOW = new Date('2026-01-01T00:01:00Z');

function tick(overrides: Partial<ProgressRecord> = {}): Tick {
  return new Tick(
    {
      ...EMPTY_EXTENSIONS,
      id: 'imports:7',
      name: 'csv-import',
      scope: ['user', '3'],
      startedAt: new Date('2026-01-01T00:00:00Z'),
      completedAt: null,
      failedAt: null,
      expiresAt: null,
      count: 300,
      total: 1000,
      params: {},
      errorCount: 0,
      updatedAt: NOW,
      ratePerSecond: 5,
      intervalMs: 2000,
      ...overrides,
    },
    NOW,
  );
}

describe('formatBar', () => {
  it('fills the share of the width that the percentage says, to an eighth of a cell', () => {
    expect(formatBar(50, 10)).toBe('█████     ');
    expect(formatBar(0, 4)).toBe('    ');
    expect(formatBar(100, 4)).toBe('████');
    expect(formatBar(12.5 + 1.5625, 8)).toBe('█▏      ');
  });

  it('stays inside its width when the count passed the total', () => {
    expect(formatBar(250, 6)).toBe('██████');
  });

  it('sweeps a block back and forth when the total is unknown', () => {
    const frames = [0, 1, 2, 3, 4, 5, 6, 7].map((phase) => formatBar(null, 8, phase));
    expect(frames.every((frame) => frame.length === 8 && frame.includes('████'))).toBe(true);
    expect(frames.map((frame) => frame.indexOf('█'))).toEqual([0, 1, 2, 3, 4, 3, 2, 1]);
  });
});

describe('format helpers', () => {
  it('formats percentages, counts, rates and durations for reading', () => {
    expect(formatPercentage(42)).toBe('42.0%');
    expect(formatPercentage(100)).toBe('100%');
    expect(formatPercentage(null)).toBe('—');
    expect(formatCount(1234, 3000)).toBe('1,234/3,000');
    expect(formatCount(1234, null)).toBe('1,234');
    expect(formatRate(85.34)).toBe('85.3/s');
    expect(formatRate(1234)).toBe('1.2k/s');
    expect(formatRate(0.2)).toBe('12.0/min');
    expect(formatRate(0.001)).toBe('3.6/h');
    expect(formatRate(null)).toBe('—');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(7_620_000)).toBe('2h 07m');
    expect(formatDuration(100 * 3_600_000)).toBe('4d 4h');
  });

  it('shows the ETA of a running job and none for a finished one', () => {
    expect(formatEta(tick(), NOW)).toMatch(/^ETA \d+m \d\ds$/);
    expect(formatEta(tick({ completedAt: NOW, count: 1000 }), NOW)).toBe('');
    expect(formatEta(tick({ total: null }), NOW)).toBe('ETA —');
  });
});

describe('formatPlainLine', () => {
  it('gives name, id, status, percentage, count, rate and ETA of a running job', () => {
    expect(formatPlainLine(tick(), NOW)).toMatch(
      /^csv-import \(imports:7\) {2}running {2}30\.0% {2}300\/1,000 {2}5\.0\/s {2}ETA \S+/,
    );
  });

  it('gives the duration and the failure message of a failed job', () => {
    const line = formatPlainLine(tick({ failedAt: NOW, errorMessage: 'card declined' }), NOW);
    expect(line).toBe(
      'csv-import (imports:7)  failed  30.0%  300/1,000  in 1m 00s  (card declined)',
    );
  });
});

describe('formatBarLine', () => {
  it('never exceeds the terminal width, so redrawing in place never wraps', () => {
    for (const columns of [20, 40, 60, 80, 120, 200]) {
      const line = formatBarLine(tick(), NOW, {
        columns,
        colour: false,
        phase: 0,
        nameWidth: 22,
        statusWidth: 9,
      });
      expect(line.length).toBeLessThan(columns);
    }
  });

  it('draws a bar with percentage, rate and ETA, and colours only the status', () => {
    const line = formatBarLine(tick(), NOW, {
      columns: 120,
      colour: true,
      phase: 0,
      nameWidth: 22,
      statusWidth: 9,
    });
    expect(line).toMatch(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes are what this checks
      /^csv-import \(imports:7\) \[[█▏▎▍▌▋▊▉]+ *\] +30\.0% +300\/1,000 +5\.0\/s +ETA .+\x1b\[36mrunning\x1b\[0m$/,
    );
  });
});

describe('formatBarLine with a progress history', () => {
  it('shows the pace over time as a sparkline before the status', () => {
    const history = [0, 10, 20, 30, 40, 50, 60].map((s, i) => ({
      at: new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000),
      count: [0, 100, 200, 200, 200, 250, 300][i] as number,
      retry: false,
    }));
    const line = formatBarLine(tick({ history }), NOW, {
      columns: 140,
      colour: false,
      phase: 0,
      nameWidth: 22,
      statusWidth: 9,
    });
    // Fast for 20 s, nothing for 20 s, then half the pace.
    expect(line).toMatch(/ ████▁▁▁▁▅▅▅▅ {2}running$/);
    expect(line.length).toBeLessThan(140);
  });
});
