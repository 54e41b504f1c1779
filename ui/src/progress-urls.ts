import type { ResolvedTarget } from './progress-target.js';

/** Builds the HTTP API's URLs for one target, relative to where the handler is mounted. */
export class ProgressUrls {
  readonly #base: string;
  readonly #target: ResolvedTarget;
  readonly #token: string | null;

  constructor(base: string, target: ResolvedTarget, token: string | null) {
    this.#base = base.replace(/\/+$/, '');
    this.#target = target;
    this.#token = token;
  }

  /** `GET {base}/events`; `lastEventId` resumes a stream we closed ourselves. */
  events(lastEventId: string | null): string {
    return this.#build('events', {
      scope: this.#target.scope,
      id: this.#target.id,
      lastEventId,
      token: this.#token,
    });
  }

  /** `GET {base}/jobs`, one page. */
  jobs(cursor: string | null): string {
    return this.#build('jobs', { scope: this.#target.scope, cursor, token: this.#token });
  }

  /** `GET {base}/job`. */
  job(id: string): string {
    return this.#build('job', { scope: this.#target.scope, id, token: this.#token });
  }

  #build(path: string, query: Record<string, string | null>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== null) search.set(key, value);
    }
    return `${this.#base}/${path}?${search.toString()}`;
  }
}
