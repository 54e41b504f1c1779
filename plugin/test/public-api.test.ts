import { describe, expect, it } from 'vitest';
import * as bullmq from '../src/bullmq/index.js';
import * as core from '../src/core/index.js';
import * as http from '../src/http/index.js';
import * as root from '../src/index.js';
import * as postgres from '../src/stores/postgres/index.js';
import * as testing from '../src/testing/index.js';

/**
 * Every run-time export of every entry point, sorted: an added or removed export shows up in
 * review as a change of these snapshots (types are checked by public-types.test.ts).
 */
const names = (entry: object) => Object.keys(entry).sort();

describe('the public API', () => {
  it('progressrus', () => {
    expect(names(root)).toMatchInlineSnapshot(`
      [
        "DEFAULT_RETENTION",
        "DURATION_SAMPLES",
        "EXPLICIT_STATES",
        "HISTORY_POINTS",
        "JOB_ACTION_NAMES",
        "JOB_SORTS",
        "JobActionRefusedError",
        "JobNotFoundError",
        "MalformedRecordError",
        "MemoryStore",
        "Progresser",
        "Progressrus",
        "ProgressrusArgumentError",
        "ProgressrusError",
        "RedisStore",
        "SORT_ORDERS",
        "STALLED_AFTER_INTERVALS",
        "STATUSES",
        "StoreError",
        "Tick",
        "countByStatus",
        "decodeRecord",
        "encodeRecord",
        "estimateFinish",
        "formatDuration",
        "formatTime",
        "jobSortKey",
        "lastActivity",
        "nameCollationKey",
        "nameSearchKey",
        "normalizeScope",
        "parseScopeKey",
        "parseTime",
        "redisKeys",
        "scopeKey",
        "sparklineOf",
        "toJobDTO",
        "toJobsPageDTO",
        "toScopeDTO",
        "withProgress",
      ]
    `);
  });

  it('progressrus/core', () => {
    expect(names(core)).toMatchInlineSnapshot(`
      [
        "EXPLICIT_STATES",
        "JOB_ACTION_NAMES",
        "MAX_TIMER_MS",
        "MalformedRecordError",
        "ProgressrusArgumentError",
        "ProgressrusError",
        "SCOPE_SEPARATOR",
        "STATUSES",
        "StoreError",
        "check",
        "checkBoolean",
        "checkInteger",
        "checkNonEmptyString",
        "checkNonNegative",
        "checkObject",
        "checkOptionalFunction",
        "checkPositive",
        "checkRange",
        "expected",
        "formatDuration",
        "normalizeScope",
        "parseScopeKey",
        "scopeKey",
        "sparklineOf",
      ]
    `);
  });

  it('progressrus/http', () => {
    expect(names(http)).toMatchInlineSnapshot(`
      [
        "HttpError",
        "LocalChangeFeed",
        "RedisChangeFeed",
        "SECURITY_HEADERS",
        "createProgressHandler",
        "createProgressToken",
        "errorResponse",
        "toNodeHandler",
        "verifyProgressToken",
      ]
    `);
  });

  it('progressrus/bullmq', () => {
    expect(names(bullmq)).toMatchInlineSnapshot(`
      [
        "JobActions",
        "ProgressQueue",
        "ProgressWorker",
        "SCOPE_DATA_FIELD",
        "closeGracefully",
        "closeOnSignals",
        "queuePosition",
        "withJobProgress",
      ]
    `);
  });

  it('progressrus/postgres', () => {
    expect(names(postgres)).toMatchInlineSnapshot(`
      [
        "PostgresStore",
      ]
    `);
  });

  it('progressrus/testing', () => {
    expect(names(testing)).toMatchInlineSnapshot(`
      [
        "CHROMIUM_ARGS",
        "ChromiumNotFoundError",
        "PostgresServerNotFoundError",
        "RedisServerNotFoundError",
        "chromiumLaunchOptions",
        "freePort",
        "seededRandom",
        "startPostgresServer",
        "startRedisServer",
      ]
    `);
  });
});
