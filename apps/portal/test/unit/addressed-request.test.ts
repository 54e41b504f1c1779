import { describe, expect, it } from 'vitest';
import { addressedRequest } from '../../lib/addressed-request';
import { loadEnv } from '../../lib/env';

const post = (headers: Record<string, string>) =>
  new Request('http://localhost:3001/api/progress/job/cancel', { method: 'POST', headers });

describe('addressedRequest', () => {
  it('takes the origin the browser addressed from Host', () => {
    const request = addressedRequest(post({ host: '127.0.0.1:4000' }), false);
    expect(new URL(request.url).origin).toBe('http://127.0.0.1:4000');
    expect(request.method).toBe('POST');
  });

  it('ignores X-Forwarded-Host and -Proto unless the proxy is trusted', () => {
    const headers = {
      host: 'portal.internal:3001',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    };
    expect(new URL(addressedRequest(post(headers), false).url).origin).toBe(
      'http://portal.internal:3001',
    );
    expect(new URL(addressedRequest(post(headers), true).url).origin).toBe('https://evil.example');
  });

  it('takes the first entry of a forwarded list, and keeps the URL on a malformed Host', () => {
    const trusted = post({ host: 'a:1', 'x-forwarded-host': 'app.example.com, proxy.internal' });
    expect(new URL(addressedRequest(trusted, true).url).host).toBe('app.example.com');
    expect(addressedRequest(post({ host: 'bad host/%' }), false).url).toBe(
      'http://localhost:3001/api/progress/job/cancel',
    );
  });
});

describe('TRUST_PROXY', () => {
  it('is off unless set to 1 or true, and refuses anything else', () => {
    expect(loadEnv({}).trustProxy).toBe(false);
    expect(loadEnv({ TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(() => loadEnv({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY must be 1/);
  });
});
