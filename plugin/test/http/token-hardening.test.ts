import { describe, expect, it } from 'vitest';
import {
  createProgressHandler,
  createProgressToken,
  SECURITY_HEADERS,
  verifyProgressToken,
} from '../../src/http/index.js';
import { MemoryStore } from '../../src/index.js';
import { SECRET } from './http-helpers.js';

const NOW = 1_700_000_000_000;
const OLD_SECRET = 'the-old-secret-that-is-at-least-32-bytes';
const scope = ['user', 1];

/** The token split into its four parts: prefix, key id, claims, signature. */
function parts(token: string): [string, string, string, string] {
  return token.split('.') as [string, string, string, string];
}

describe('progress token signatures', () => {
  const token = createProgressToken({ secret: SECRET, scope, now: () => NOW });
  const [prefix, keyId, payload, signature] = parts(token);
  const respell = (spelled: string) => `${prefix}.${keyId}.${payload}.${spelled}`;

  it('verifies the one canonical unpadded base64url spelling', () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyProgressToken(token, SECRET, NOW)).not.toBeNull();
  });

  it('refuses padding, standard base64 and a last character that decodes to the same bytes', () => {
    const bytes = Buffer.from(signature, 'base64url');
    const standard = bytes.toString('base64');
    const last = signature.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last of 43 characters carries 4 bits of the signature and 2 spare bits.
    const sameBytes = [...alphabet].filter(
      (char) =>
        char !== last && Buffer.from(`${signature.slice(0, -1)}${char}`, 'base64url').equals(bytes),
    );
    expect(sameBytes).toHaveLength(3);
    const spellings = [
      `${signature}=`,
      standard,
      standard.replace(/=+$/, ''),
      ...sameBytes.map((char) => `${signature.slice(0, -1)}${char}`),
      ` ${signature}`,
    ];
    for (const spelled of spellings) {
      expect(spelled).not.toBe(signature);
      expect(verifyProgressToken(respell(spelled), SECRET, NOW), spelled).toBeNull();
    }
  });

  it('answers 401 to a respelled token at the handler too', async () => {
    const handler = createProgressHandler({ store: new MemoryStore(), tokenSecret: SECRET });
    const bytes = Buffer.from(signature, 'base64url');
    const fresh = createProgressToken({ secret: SECRET, scope });
    const [p, k, c, s] = parts(fresh);
    const respelled = `${p}.${k}.${c}.${Buffer.from(s, 'base64url').toString('base64')}`;
    expect(bytes.length).toBe(32);
    const good = await handler(new Request(`http://x/jobs?scope=user:1&token=${fresh}`));
    expect(good.status).toBe(200);
    const bad = await handler(
      new Request(`http://x/jobs?scope=user:1&token=${encodeURIComponent(respelled)}`),
    );
    expect(bad.status).toBe(401);
  });
});

describe('progress token expiry', () => {
  it("refuses an expiresInMs that puts the expiry past a Date's range, in the library's format", () => {
    const latest = 8.64e15 - NOW;
    expect(() =>
      createProgressToken({ secret: SECRET, scope, expiresInMs: latest + 1, now: () => NOW }),
    ).toThrow(
      `Expected \`expiresInMs\` to be an integer > 0 that keeps the expiry within a Date's range (≤ ${latest}), got \`${latest + 1}\``,
    );
    expect(() =>
      createProgressToken({ secret: SECRET, scope, expiresInMs: 2 ** 53 - 1, now: () => NOW }),
    ).toThrow(/Expected `expiresInMs`/);
  });

  it('still signs the latest expiry a Date can hold', () => {
    const latest = 8.64e15 - NOW;
    const token = createProgressToken({
      secret: SECRET,
      scope,
      expiresInMs: latest,
      now: () => NOW,
    });
    expect(verifyProgressToken(token, SECRET, NOW)?.expiresAt.getTime()).toBe(8.64e15);
  });
});

describe('progress token secret rotation', () => {
  const oldToken = createProgressToken({ secret: OLD_SECRET, scope, now: () => NOW });
  const newToken = createProgressToken({ secret: [SECRET, OLD_SECRET], scope, now: () => NOW });

  it('signs with the first secret of a list, naming it by key id', () => {
    expect(parts(newToken)[1]).not.toBe(parts(oldToken)[1]);
    expect(verifyProgressToken(newToken, SECRET, NOW)).not.toBeNull();
    expect(verifyProgressToken(newToken, OLD_SECRET, NOW)).toBeNull();
  });

  it('verifies tokens of every listed secret, and none once a secret is dropped', async () => {
    const rotating = createProgressHandler({
      store: new MemoryStore(),
      tokenSecret: [SECRET, OLD_SECRET],
      now: () => NOW,
    });
    const dropped = createProgressHandler({
      store: new MemoryStore(),
      tokenSecret: SECRET,
      now: () => NOW,
    });
    const get = (handler: typeof rotating, token: string) =>
      handler(new Request(`http://x/jobs?scope=user:1&token=${token}`)).then((r) => r.status);
    expect(await get(rotating, oldToken)).toBe(200);
    expect(await get(rotating, newToken)).toBe(200);
    expect(await get(dropped, newToken)).toBe(200);
    expect(await get(dropped, oldToken)).toBe(401);
  });

  it('refuses an empty list or a short secret in it, naming the entry', () => {
    expect(() => createProgressHandler({ store: new MemoryStore(), tokenSecret: [] })).toThrow(
      'Expected `tokenSecret` to be a secret or a non-empty list of secrets, got `[]`',
    );
    expect(() =>
      createProgressHandler({ store: new MemoryStore(), tokenSecret: [SECRET, 'short'] }),
    ).toThrow(/^Expected `tokenSecret\[1\]` to be a string or Uint8Array of at least 32 bytes/);
  });
});

describe('progress handler security headers', () => {
  const handler = createProgressHandler({
    store: new MemoryStore(),
    authorize: (request) => request.headers.get('x-ok') === '1',
  });

  it.each([
    ['GET', '/scopes', { 'x-ok': '1' }, 200],
    ['GET', '/scopes', {}, 403],
    ['GET', '/nope', { 'x-ok': '1' }, 404],
    ['GET', '/%E0%A4%A', { 'x-ok': '1' }, 404],
    ['POST', '/scopes', { 'x-ok': '1' }, 405],
  ])('sends them with %s %s (%i)', async (method, path, headers, status) => {
    const response = await handler(new Request(`http://x${path}`, { method, headers }));
    expect(response.status).toBe(status);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(response.headers.get(name), name).toBe(value);
    }
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
