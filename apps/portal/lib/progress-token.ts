import 'server-only';
import { createProgressToken } from 'progressrus/http';
import { signingKeys } from './current-user';
import { env } from './env';
import { userScope } from './users';

/** A token for the browser, and how long it lasts: relative, so the browser's clock does not matter. */
export interface IssuedToken {
  readonly token: string;
  readonly expiresInMs: number;
}

/**
 * A short-lived token that reads exactly one scope, `['user', id]`, and may cancel that
 * scope's jobs: the browser sends it to /api/progress, which serves nothing else with it.
 * Minted for the signed-in user only.
 */
export function issueProgressToken(userId: number): IssuedToken {
  const expiresInMs = env().tokenTtlMs;
  const token = createProgressToken({
    secret: signingKeys().progress,
    scope: userScope(userId),
    actions: ['cancel'],
    expiresInMs,
  });
  return { token, expiresInMs };
}
