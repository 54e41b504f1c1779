import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { JobList } from '../../src/job-list.js';
import { makeJob } from './jobs.js';

const now = new Date('2026-11-27T20:00:00.000Z');
const jobs = [
  makeJob({
    id: 'export',
    name: 'Export orders',
    count: 420,
    total: 1000,
    percentage: 42,
    startedAt: '2026-11-27T19:55:00.000Z',
    eta: '2026-11-27T20:07:00.000Z',
  }),
  makeJob({
    id: 'import',
    name: 'Import customers',
    status: 'failed',
    count: 10,
    total: 50,
    percentage: 20,
    errorCount: 3,
    errorMessage: 'Row 11: bad e-mail',
    startedAt: '2026-11-26T08:00:00.000Z',
    failedAt: '2026-11-26T08:05:00.000Z',
  }),
];

function rowOf(name: string): HTMLElement {
  const header = screen.getByRole('rowheader', { name: new RegExp(name) });
  const row = header.closest('tr');
  if (!row) throw new Error(`No row for ${name}`);
  return row;
}

describe('JobList', () => {
  it('is a table with a caption and column headers', () => {
    render(<JobList jobs={jobs} caption="Your jobs" now={now} locale="en-US" timeZone="UTC" />);
    const table = screen.getByRole('table', { name: 'Your jobs' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((cell) => cell.textContent);
    expect(headers).toEqual(['Job', 'Status', 'Progress', 'ETA', 'Started', 'Finished']);
    expect(within(table).getAllByRole('row')).toHaveLength(3);
  });

  it('shows name, status, progress and ETA for each job', () => {
    render(<JobList jobs={jobs} now={now} locale="en-US" timeZone="UTC" />);
    const row = within(rowOf('Export orders'));
    expect(row.getByText('Running')).toBeTruthy();
    const bar = row.getByRole('progressbar', { name: 'Export orders' });
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-valuetext')).toBe('42%, 420 of 1,000');
    expect(row.getByText('42%')).toBeTruthy();
    expect(row.getByText('in 7 minutes')).toBeTruthy();
  });

  it("shows start and finish in the viewer's time zone with the exact time in the title", () => {
    render(<JobList jobs={jobs} now={now} locale="en-US" timeZone="Asia/Tokyo" />);
    const row = within(rowOf('Import customers'));
    // 08:00 UTC is 17:00 in Tokyo; another day than `now`, so the date shows too.
    const started = row.getByText(/Nov 26, 2026,? 5:00\s?PM/);
    expect(started.tagName).toBe('TIME');
    expect(started.getAttribute('datetime')).toBe('2026-11-26T08:00:00.000Z');
    expect(started.getAttribute('title')).toMatch(
      /Thursday, November 26, 2026 at 5:00:00\s?PM GMT\+9/,
    );
    expect(row.getByText(/Nov 26, 2026,? 5:05\s?PM/).getAttribute('datetime')).toBe(
      '2026-11-26T08:05:00.000Z',
    );
  });

  it('shows only the time for a start on the same day', () => {
    render(<JobList jobs={jobs} now={now} locale="en-US" timeZone="UTC" />);
    const row = within(rowOf('Export orders'));
    expect(row.getByText(/^7:55:00\s?PM$/).getAttribute('datetime')).toBe(
      '2026-11-27T19:55:00.000Z',
    );
  });

  it('shows why a job failed and how many errors it had, without an ETA', () => {
    render(<JobList jobs={jobs} now={now} locale="en-US" timeZone="UTC" />);
    const row = within(rowOf('Import customers'));
    expect(row.getByText('Failed')).toBeTruthy();
    expect(row.getByText('Row 11: bad e-mail')).toBeTruthy();
    expect(row.getByText('3 errors')).toBeTruthy();
    expect(row.getAllByText('Unknown')).toHaveLength(1);
  });

  it('says so when there are no jobs', () => {
    render(<JobList jobs={[]} now={now} labels={{ empty: 'Nothing running' }} />);
    expect(screen.getByRole('cell', { name: 'Nothing running' })).toBeTruthy();
  });
});
