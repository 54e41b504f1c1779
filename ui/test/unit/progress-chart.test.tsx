import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { sparklineOf } from 'progressrus/core';
import { ProgressChart } from '../../src/progress-chart.js';
import { makeJob } from './jobs.js';

const T0 = Date.parse('2026-11-27T20:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

describe('ProgressChart', () => {
  it('draws the history, the ETA ahead as a dashed line, and names itself', () => {
    const job = makeJob({
      id: 'a',
      name: 'Import',
      count: 40,
      total: 100,
      eta: at(150),
      history: [
        { at: at(0), count: 0, retry: false },
        { at: at(30), count: 20, retry: false },
        { at: at(60), count: 40, retry: false },
      ],
    });
    const { container } = render(<ProgressChart job={job} />);
    const chart = screen.getByRole('img', { name: 'Progress of Import' });
    expect(chart.querySelector('desc')?.textContent).toBe(
      `3 samples, 40 of 100 done. Projected finish ${at(150)}.`,
    );
    expect(container.querySelector('polyline')?.getAttribute('points')?.split(' ')).toHaveLength(3);
    const projection = screen.getByTestId('eta-projection');
    expect(projection.getAttribute('stroke-dasharray')).toBe('6 4');
    expect(Number(projection.getAttribute('x2'))).toBeGreaterThan(Number(projection.getAttribute('x1')));
  });

  it('marks each retry and a stall', () => {
    const job = makeJob({
      id: 'b',
      name: 'Charges',
      status: 'stalled',
      stalledAt: at(70),
      count: 30,
      total: 100,
      history: [
        { at: at(0), count: 0, retry: false },
        { at: at(20), count: 25, retry: false },
        { at: at(30), count: 0, retry: true },
        { at: at(60), count: 30, retry: false },
      ],
    });
    render(<ProgressChart job={job} />);
    expect(screen.getAllByRole('img', { name: 'Retry' })).toHaveLength(1);
    expect(screen.getByRole('img', { name: 'Stalled' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Progress of Charges' }).querySelector('desc')?.textContent).toContain(
      '1 retry. Stalled.',
    );
  });

  it('says so when there is no history yet', () => {
    render(<ProgressChart job={makeJob({ id: 'c', name: 'New' })} />);
    expect(screen.getByRole('img', { name: 'Progress of New' }).querySelector('desc')?.textContent).toBe(
      'No progress history yet.',
    );
  });
});

describe('sparklineOf', () => {
  it('shows the rate over time: fast, then a pause, then slow', () => {
    const line = sparklineOf(
      [
        { atMs: 0, count: 0 },
        { atMs: 4_000, count: 80 },
        { atMs: 8_000, count: 80 },
        { atMs: 16_000, count: 100 },
      ],
      8,
    );
    expect(line).toBe('██▁▁▂▂▂▂');
  });
});
