import { describe, expect, it } from 'vitest';
import { portalLink } from '../../lib/portal-link';

describe('portalLink', () => {
  it('links a user:N scope to the portal sign-in with that user picked', () => {
    expect(portalLink('user:3', 'http://localhost:3001')).toBe(
      'http://localhost:3001/sign-in?user=3',
    );
  });

  it('links nothing for other scopes, or without a portal', () => {
    for (const key of ['user:3:exports', 'team:3', 'user:', 'user:03', 'user:x'])
      expect(portalLink(key, 'http://localhost:3001')).toBeNull();
    expect(portalLink('user:3', null)).toBeNull();
  });
});
