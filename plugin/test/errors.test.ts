import { describe, expect, it } from 'vitest';
import { RedisUnreachableError } from '../src/cli/connect.js';
import { UsageError } from '../src/cli/context.js';
import { HttpError } from '../src/http/index.js';
import { ProgressrusError } from '../src/index.js';
import { PostgresServerNotFoundError, RedisServerNotFoundError } from '../src/testing/index.js';

describe('ProgressrusError', () => {
  it.each([
    [new HttpError('not_found', 'No route /x'), 'HttpError'],
    [new UsageError('Unknown command "x"'), 'UsageError'],
    [new RedisUnreachableError('redis://127.0.0.1:1', 'ECONNREFUSED'), 'RedisUnreachableError'],
    [new RedisServerNotFoundError('redis-server'), 'RedisServerNotFoundError'],
    [new PostgresServerNotFoundError(['/usr/lib/postgresql']), 'PostgresServerNotFoundError'],
  ])('is the base class of %s', (error, name) => {
    expect(error).toBeInstanceOf(ProgressrusError);
    expect(error.name).toBe(name);
  });
});
