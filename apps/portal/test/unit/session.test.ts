import { describe, expect, it } from 'vitest';
import { deriveKeys, readSession, SESSION_TTL_MS, signSession } from '../../lib/session';

const keys = deriveKeys('a'.repeat(32));
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('session cookie', () => {
  it('reads back the user it was signed for, until it expires', () => {
    const value = signSession(3, keys.session, NOW);
    expect(readSession(value, keys.session, NOW + 1000)).toEqual({
      userId: 3,
      expiresAt: new Date(NOW + SESSION_TTL_MS),
    });
    expect(readSession(value, keys.session, NOW + SESSION_TTL_MS)).toBeNull();
  });

  it('refuses a cookie whose user, expiry or signature was changed', () => {
    const value = signSession(3, keys.session, NOW);
    const [version, , expires, signature] = value.split('.');
    for (const forged of [
      `${version}.5.${expires}.${signature}`,
      `${version}.3.${Number(expires) + SESSION_TTL_MS}.${signature}`,
      `${version}.3.${expires}.${'A'.repeat(43)}`,
      `${value}x`,
      '',
      'v1.3',
    ]) {
      expect(readSession(forged, keys.session, NOW)).toBeNull();
    }
    expect(readSession(undefined, keys.session, NOW)).toBeNull();
  });

  it('refuses a cookie signed with another secret, or with the progress-token key', () => {
    const other = deriveKeys('b'.repeat(32));
    expect(readSession(signSession(3, other.session, NOW), keys.session, NOW)).toBeNull();
    expect(readSession(signSession(3, keys.progress, NOW), keys.session, NOW)).toBeNull();
    expect(keys.session.equals(keys.progress)).toBe(false);
  });
});
