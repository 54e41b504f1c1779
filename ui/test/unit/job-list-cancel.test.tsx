import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ActionResult, JobActor } from 'progressrus';
import { MemoryStore } from 'progressrus';
import { createProgressHandler, createProgressToken } from 'progressrus/http';
import { describe, expect, it } from 'vitest';
import { JobList } from '../../src/job-list.js';
import type { FetchLike } from '../../src/progress-options.js';
import { tokenActions } from '../../src/token-actions.js';
import { makeJob } from './jobs.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const running = makeJob({ id: 'imports:1', name: 'Import', scope: ['user', '7'] });
const done = makeJob({
  id: 'imports:2',
  name: 'Export',
  scope: ['user', '7'],
  status: 'completed',
});

/** The real handler; its `actions` remembers what it was asked (the BullMQ side is tested in plugin). */
function serve() {
  const asked: string[] = [];
  const actions: JobActor = {
    act: async (action, scope, id): Promise<ActionResult> => {
      asked.push(`${action} ${scope.join(':')} ${id}`);
      return { id, action, outcome: 'cancel-requested', status: 'running' };
    },
  };
  const handler = createProgressHandler({
    store: new MemoryStore(),
    tokenSecret: SECRET,
    actions,
    basePath: '/api/progress',
  });
  const fetch: FetchLike = (url, init) =>
    handler(new Request(new URL(url, 'http://localhost'), init));
  return { asked, fetch };
}

describe('JobList cancel button', () => {
  it('shows no button with a read-only token', () => {
    const token = createProgressToken({ secret: SECRET, scope: ['user', 7] });
    expect(tokenActions(token)).toEqual([]);
    render(<JobList jobs={[running]} cancel={{ url: '/api/progress', token }} />);
    expect(screen.queryByRole('button', { name: /cancel/i })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).toBeNull();
  });

  it('shows Cancel on unfinished jobs with a token minted with cancel, and posts it with the token', async () => {
    const { asked, fetch } = serve();
    const token = createProgressToken({ secret: SECRET, scope: ['user', 7], actions: ['cancel'] });
    expect(tokenActions(token)).toEqual(['cancel']);
    render(<JobList jobs={[running, done]} cancel={{ url: '/api/progress', token, fetch }} />);
    expect(screen.getAllByRole('button', { name: /cancel/i })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel Import' }));
    await waitFor(() => expect(asked).toEqual(['cancel user:7 imports:1']));
    expect(screen.getByRole('button', { name: 'Cancel Import' })).toHaveProperty('disabled', true);
  });

  it('reads "Cancel requested" while the job has not stopped, and shows the refusal of the server', async () => {
    const { fetch } = serve();
    const foreign = createProgressToken({
      secret: SECRET,
      scope: ['user', 8],
      actions: ['cancel'],
    });
    const { rerender } = render(
      <JobList jobs={[running]} cancel={{ url: '/api/progress', token: foreign, fetch }} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Cancel Import' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringMatching(/Not allowed to cancel jobs of the scope "user:7"/),
    );
    rerender(<JobList jobs={[{ ...running, cancelRequested: true }]} />);
    const row = screen.getByRole('rowheader', { name: /Import/ }).closest('tr') as HTMLElement;
    expect(within(row).getByText('Cancel requested')).toBeTruthy();
  });
});
