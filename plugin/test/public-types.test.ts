import type { Job, Processor, Worker } from 'bullmq';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type FlushableProcessor,
  type JobProgressOptions,
  type ProgressProcessor,
  type ProgressWorker,
  type ProgressWorkerOptions,
  withJobProgress,
} from '../src/bullmq/index.js';
import type { ErrorDTO, JobDTO, PageDTO, ScopeDTO, Status } from '../src/core/index.js';
import {
  type Progresser,
  type Scope,
  type StoreWriter,
  type Tick,
  toJobDTO,
  toScopeDTO,
} from '../src/index.js';

/** Type-level tests: `tsc` (npm run typecheck) fails when a public type changes shape. */

interface ImportData {
  readonly userId: number;
  readonly rows: readonly string[];
}

describe('ProgressWorker<Data>', () => {
  it('is a BullMQ Worker of the same data, result and name types', () => {
    expectTypeOf<ProgressWorker<ImportData, number, 'import'>>().toExtend<
      Worker<ImportData, number, 'import'>
    >();
  });

  it('hands the processor the typed job, the Progresser, the lock token and the signal', () => {
    expectTypeOf<ProgressProcessor<ImportData, number, 'import'>>()
      .parameter(0)
      .toEqualTypeOf<Job<ImportData, number, 'import'>>();
    expectTypeOf<ProgressProcessor<ImportData, number>>().parameter(1).toEqualTypeOf<Progresser>();
    expectTypeOf<ProgressProcessor<ImportData, number>>()
      .parameter(2)
      .toEqualTypeOf<string | undefined>();
    expectTypeOf<ProgressProcessor<ImportData, number>>()
      .parameter(3)
      .toEqualTypeOf<AbortSignal | undefined>();
    expectTypeOf<ProgressProcessor<ImportData, number>>().returns.toEqualTypeOf<
      number | Promise<number>
    >();
    expectTypeOf<ConstructorParameters<typeof ProgressWorker<ImportData, number>>[1]>().toEqualTypeOf<
      ProgressProcessor<ImportData, number, string> | string | URL
    >();
  });

  it('types the progress options by the job data', () => {
    expectTypeOf<ProgressWorkerOptions<ImportData>['progress']>().toEqualTypeOf<
      JobProgressOptions<ImportData> | undefined
    >();
    expectTypeOf<NonNullable<JobProgressOptions<ImportData>['scope']>>()
      .parameter(0)
      .toEqualTypeOf<Job<ImportData>>();
    expectTypeOf<NonNullable<JobProgressOptions<ImportData>['scope']>>().returns.toEqualTypeOf<Scope>();
    expectTypeOf<JobProgressOptions['store']>().toEqualTypeOf<StoreWriter | undefined>();
  });

  it('withJobProgress makes a plain BullMQ processor with flush()', () => {
    expectTypeOf(withJobProgress<ImportData, number>).returns.toEqualTypeOf<
      FlushableProcessor<ImportData, number, string>
    >();
    expectTypeOf<FlushableProcessor<ImportData, number>>().toExtend<Processor<ImportData, number>>();
    expectTypeOf<FlushableProcessor['flush']>().returns.toEqualTypeOf<Promise<void>>();
  });
});

describe('the DTOs', () => {
  it('JobDTO is plain JSON: strings for times, the status union', () => {
    expectTypeOf(toJobDTO).parameter(0).toEqualTypeOf<Tick>();
    expectTypeOf(toJobDTO).returns.toEqualTypeOf<JobDTO>();
    expectTypeOf<JobDTO['status']>().toEqualTypeOf<Status>();
    expectTypeOf<JobDTO['startedAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<JobDTO['updatedAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<JobDTO['stalledAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<JobDTO['eta']>().toEqualTypeOf<string | null>();
    expectTypeOf<JobDTO['percentage']>().toEqualTypeOf<number | null>();
    expectTypeOf<JobDTO['scope']>().toEqualTypeOf<readonly string[]>();
  });

  it('ScopeDTO, PageDTO and ErrorDTO have the shapes the HTTP API serves', () => {
    expectTypeOf(toScopeDTO).returns.toEqualTypeOf<ScopeDTO>();
    expectTypeOf<ScopeDTO['lastActivityAt']>().toEqualTypeOf<string>();
    expectTypeOf<PageDTO<JobDTO>['items']>().toEqualTypeOf<readonly JobDTO[]>();
    expectTypeOf<PageDTO<JobDTO>['nextCursor']>().toEqualTypeOf<string | null>();
    expectTypeOf<ErrorDTO['error']['message']>().toEqualTypeOf<string>();
  });
});
