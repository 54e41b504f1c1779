import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRET, loadEnv, PortalEnvError } from '../../lib/env';

describe('loadEnv', () => {
  it('runs without configuration outside production, on a development secret', () => {
    const env = loadEnv({});
    expect(env.secret).toBe(DEVELOPMENT_SECRET);
    expect(env.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(env.tokenTtlMs).toBe(300_000);
    expect(env.production).toBe(false);
  });

  it('requires PORTAL_SECRET in production, and never falls back to the development one', () => {
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(PortalEnvError);
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(
      /PORTAL_SECRET is required in production/,
    );
    const secret = 's'.repeat(32);
    expect(loadEnv({ NODE_ENV: 'production', PORTAL_SECRET: secret }).secret).toBe(secret);
  });

  it('names every variable that is wrong, in one message', () => {
    let message = '';
    try {
      loadEnv({ PORTAL_SECRET: 'short', PORTAL_TOKEN_TTL_MS: '10', REDIS_URL: 'http://x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORTAL_SECRET must be at least 32 characters');
    expect(message).toContain('PORTAL_TOKEN_TTL_MS must be at least 1000 (1 s)');
    expect(message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
  });

  it('reads a token lifetime in milliseconds', () => {
    expect(loadEnv({ PORTAL_TOKEN_TTL_MS: '4000' }).tokenTtlMs).toBe(4000);
    expect(() => loadEnv({ PORTAL_TOKEN_TTL_MS: '1.5' })).toThrow(/whole number/);
  });
});
