import type { JobDTO } from 'progressrus/core';

/**
 * The jobs of one subscription, keyed by id. Events replace or remove single jobs; a snapshot
 * replaces them all. `list()` is ordered newest start first, so rows do not jump around as
 * jobs tick (ordering by `updatedAt` would reshuffle them on every write).
 */
export class JobSet {
  readonly #jobs = new Map<string, JobDTO>();
  #list: readonly JobDTO[] | null = [];

  replaceAll(jobs: readonly JobDTO[]): void {
    this.#jobs.clear();
    for (const job of jobs) this.#jobs.set(job.id, job);
    this.#list = null;
  }

  put(job: JobDTO): void {
    this.#jobs.set(job.id, job);
    this.#list = null;
  }

  remove(id: string): void {
    if (this.#jobs.delete(id)) this.#list = null;
  }

  get(id: string): JobDTO | null {
    return this.#jobs.get(id) ?? null;
  }

  /** A new array after each change (React compares by reference), the same one otherwise. */
  list(): readonly JobDTO[] {
    this.#list ??= [...this.#jobs.values()].sort(byNewestStart);
    return this.#list;
  }
}

function byNewestStart(a: JobDTO, b: JobDTO): number {
  const startA = startOf(a);
  const startB = startOf(b);
  if (startA !== startB) return startB > startA ? 1 : -1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function startOf(job: JobDTO): number {
  // Not yet started sorts first: it is the newest thing there is.
  if (job.startedAt === null) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(job.startedAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}
