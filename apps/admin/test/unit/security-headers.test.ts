import { describe, expect, it } from 'vitest';
import { pageCsp, responseKind, securityHeaders } from '../../lib/security-headers';

describe('securityHeaders', () => {
  it('forbids framing, sniffing and referrers for every kind of response', () => {
    for (const kind of ['page', 'api', 'bull-board'] as const) {
      const headers = securityHeaders(kind, 'n0nce', false);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('same-origin');
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('lets pages run only scripts with the nonce, and eval only in development', () => {
    expect(pageCsp('abc', false)).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic';");
    expect(pageCsp('abc', false)).not.toContain('unsafe-eval');
    expect(pageCsp('abc', true)).toContain("'unsafe-eval'");
    expect(pageCsp('abc', false)).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('gives the API a policy that loads nothing, and bull-board one without inline scripts', () => {
    expect(securityHeaders('api', null, false)['content-security-policy']).toMatch(
      /^default-src 'none'/,
    );
    expect(securityHeaders('bull-board', null, false)['content-security-policy']).toContain(
      "script-src 'self';",
    );
  });

  it('classifies paths by their first segment only', () => {
    expect(responseKind('/api/progress/jobs')).toBe('api');
    expect(responseKind('/queues')).toBe('bull-board');
    expect(responseKind('/queues/api/queues')).toBe('bull-board');
    expect(responseKind('/queuesx')).toBe('page');
    expect(responseKind('/apix')).toBe('page');
    expect(responseKind('/scopes/user%3A1')).toBe('page');
  });
});
