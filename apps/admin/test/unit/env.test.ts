import { describe, expect, it } from 'vitest';
import { AdminEnvError, loadEnv } from '../../lib/env';

describe('loadEnv', () => {
  it('applies the defaults in development', () => {
    expect(loadEnv({ NODE_ENV: 'development' })).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'progressrus',
      queues: [],
      bullPrefix: 'bull',
      credentials: null,
      store: 'redis',
      databaseUrl: null,
      portalUrl: null,
      production: false,
      trustProxy: false,
    });
  });

  it('reads the portal URL without its trailing slash, and refuses one that is not http(s)', () => {
    expect(loadEnv({ PORTAL_URL: 'http://localhost:3001/' }).portalUrl).toBe(
      'http://localhost:3001',
    );
    expect(() => loadEnv({ PORTAL_URL: 'javascript:alert(1)' })).toThrow(
      /PORTAL_URL must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('reads queue names as a trimmed, de-duplicated list', () => {
    expect(loadEnv({ PROGRESSRUS_QUEUES: ' imports, exports,,imports ' }).queues).toEqual([
      'imports',
      'exports',
    ]);
  });

  it('refuses production without credentials, naming the variables', () => {
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(AdminEnvError);
    expect(() => loadEnv({ NODE_ENV: 'production', ADMIN_USER: '  ' })).toThrow(
      /ADMIN_USER and ADMIN_PASSWORD are required/,
    );
    expect(
      loadEnv({ NODE_ENV: 'production', ADMIN_USER: 'ops', ADMIN_PASSWORD: 's3cret-s3cret' })
        .credentials,
    ).toEqual({
      user: 'ops',
      password: 's3cret-s3cret',
    });
  });

  it('refuses a production password shorter than 12 characters, saying why', () => {
    const attempt = (password: string) => () =>
      loadEnv({ NODE_ENV: 'production', ADMIN_USER: 'ops', ADMIN_PASSWORD: password });
    expect(attempt('s3cret-s3cr')).toThrow(
      /ADMIN_PASSWORD must be at least 12 characters in production \(it has 11\): the admin is guarded by this password alone/,
    );
    // Characters, not bytes: 12 emoji are 12 characters.
    expect(attempt('🔑'.repeat(11))).toThrow(AdminEnvError);
    expect(attempt('🔑'.repeat(12))).not.toThrow();
    expect(attempt('s3cret-s3cre')).not.toThrow();
    // Development may keep a short one.
    expect(loadEnv({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'dev' }).credentials?.password).toBe('dev');
  });

  it('reads TRUST_PROXY as a flag, and refuses anything else', () => {
    expect(loadEnv({ TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(loadEnv({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadEnv({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(() => loadEnv({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY must be 1 \(or true\)/);
  });

  it('refuses half the credentials, a bad REDIS_URL and postgres without DATABASE_URL, all in one message', () => {
    const attempt = () =>
      loadEnv({ ADMIN_USER: 'ops', REDIS_URL: 'http://localhost', PROGRESSRUS_STORE: 'postgres' });
    expect(attempt).toThrow(/ADMIN_PASSWORD must be set together with the other one/);
    expect(attempt).toThrow(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(attempt).toThrow(/DATABASE_URL is required when PROGRESSRUS_STORE=postgres/);
  });
});
