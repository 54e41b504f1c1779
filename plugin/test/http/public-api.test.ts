import { describe, expect, it } from 'vitest';
import * as http from '../../src/http/index.js';

describe('progressrus/http', () => {
  it('exports exactly this public API (a change here is a change for users)', () => {
    expect(Object.keys(http).sort()).toEqual([
      'HttpError',
      'LocalChangeFeed',
      'RedisChangeFeed',
      'SECURITY_HEADERS',
      'createProgressHandler',
      'createProgressToken',
      'errorResponse',
      'toNodeHandler',
      'verifyProgressToken',
    ]);
  });
});
