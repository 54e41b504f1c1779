import type { JobActionName } from 'progressrus/core';

/**
 * The actions a progress token was minted with (`createProgressToken({ actions })`), read from
 * its payload without checking the signature: only to decide which buttons to show. The
 * server checks the token on every POST, so a forged claim shows a button that gets a 403.
 */
export function tokenActions(token: string | null | undefined): readonly JobActionName[] {
  // `prg2.<key id>.<claims>.<signature>` (progressrus/http's token format).
  if (!token?.startsWith('prg2.')) return [];
  const payload = token.split('.')[2] ?? '';
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { a } = JSON.parse(json) as { a?: unknown };
    return Array.isArray(a)
      ? a.filter((action): action is JobActionName => action === 'cancel' || action === 'retry')
      : [];
  } catch {
    return [];
  }
}
