import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Eta } from '../../../src/eta.js';
import { JobList } from '../../../src/job-list.js';
import { ProgressBar } from '../../../src/progress-bar.js';
import { StatusBadge } from '../../../src/status-badge.js';
import { useProgress } from '../../../src/use-progress.js';
import '../../../src/styles.css';

/** What an app page does: follow the signed-in user's scope with a token the server gave it. */
function App({ api, scope, id, token }: { api: string; scope: string; id: string; token: string }) {
  const { jobs, connection } = useProgress(scope, { url: api, token });
  const current = jobs.find((job) => job.id === id) ?? null;
  return (
    <main>
      <h1>Your exports</h1>
      <p className="connection">
        Connection: <output aria-label="Connection">{connection}</output>
      </p>
      {current ? (
        <section className="current" aria-label="Current job">
          <h2>
            {current.name} <StatusBadge status={current.status} />
          </h2>
          <ProgressBar job={current} />
          {current.eta ? (
            <span className="connection">
              Done <Eta value={current.eta} />
            </span>
          ) : null}
        </section>
      ) : null}
      <JobList jobs={jobs} caption="All jobs" />
    </main>
  );
}

const query = new URLSearchParams(location.search);
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App
        api={query.get('api') ?? '/api/progress'}
        scope={query.get('scope') ?? ''}
        id={query.get('id') ?? ''}
        token={query.get('token') ?? ''}
      />
    </StrictMode>,
  );
}
