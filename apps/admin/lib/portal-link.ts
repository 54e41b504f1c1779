/**
 * "What this user sees": the demo portal's sign-in page with the user of a `user:N` scope
 * picked, or null for any other scope or when no portal is configured (PORTAL_URL).
 *
 * @example
 * portalLink('user:3', 'http://localhost:3001'); // 'http://localhost:3001/sign-in?user=3'
 */
export function portalLink(scopeKey: string, portalUrl: string | null): string | null {
  const match = /^user:([1-9]\d{0,8})$/.exec(scopeKey);
  if (portalUrl === null || !match) return null;
  return `${portalUrl}/sign-in?user=${match[1]}`;
}
