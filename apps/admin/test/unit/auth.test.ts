import { describe, expect, it } from 'vitest';
import { checkBasicAuth, decideAccess, isLoopbackHost, isSameOriginWrite } from '../../lib/auth';

const credentials = { user: 'ops', password: 'pä:ss word' };
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('checkBasicAuth', () => {
  it('accepts exactly the configured user and password, a colon in the password included', () => {
    expect(checkBasicAuth(basic('ops:pä:ss word'), credentials)).toBe(true);
  });

  it('refuses a wrong user, a wrong or truncated password, and malformed headers', () => {
    for (const header of [
      basic('Ops:pä:ss word'),
      basic('ops:pä:ss'),
      basic('ops:pä:ss word '),
      basic('opspä:ss word'),
      basic(':'),
      'Bearer abc',
      'Basic !!!',
      '',
      null,
    ]) {
      expect(checkBasicAuth(header, credentials), String(header)).toBe(false);
    }
  });
});

describe('decideAccess', () => {
  it('challenges a request without credentials when credentials are configured, even from localhost', () => {
    const env = { credentials, production: false };
    expect(decideAccess({ authorization: null, host: 'localhost:3000' }, env)).toBe('challenge');
    expect(
      decideAccess({ authorization: basic('ops:pä:ss word'), host: 'admin.example' }, env),
    ).toBe('allow');
  });

  it('lets loopback requests in only in development without credentials', () => {
    expect(
      decideAccess(
        { authorization: null, host: '127.0.0.1:3000' },
        { credentials: null, production: false },
      ),
    ).toBe('allow');
    expect(
      decideAccess(
        { authorization: null, host: '192.168.1.5:3000' },
        { credentials: null, production: false },
      ),
    ).toBe('challenge');
    expect(
      decideAccess(
        { authorization: null, host: 'localhost' },
        { credentials: null, production: true },
      ),
    ).toBe('challenge');
  });
});

describe('isLoopbackHost', () => {
  it('knows localhost, 127.x and [::1], with or without a port', () => {
    for (const host of ['localhost', 'localhost:3000', '127.0.0.1:80', '127.1.2.3', '[::1]:3000']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['localhost.evil.example', '10.0.0.1', '[::2]:3000', 'example.com', null]) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });
});

describe('isSameOriginWrite', () => {
  const write = (origin: string | null, method = 'POST') =>
    isSameOriginWrite({ method, origin, expectedOrigin: 'http://admin.example:8080' });

  it('refuses a POST whose Origin is another site, another port or another scheme', () => {
    expect(write('https://evil.example')).toBe(false);
    expect(write('http://admin.example')).toBe(false);
    expect(write('https://admin.example:8080')).toBe(false);
    expect(write('null')).toBe(false);
  });

  it('accepts same-origin writes, reads, and requests without Origin (not from a browser page)', () => {
    expect(write('http://admin.example:8080')).toBe(true);
    expect(write('https://evil.example', 'GET')).toBe(true);
    expect(write(null)).toBe(true);
  });

  it('refuses a write when the expected origin is unknown', () => {
    expect(isSameOriginWrite({ method: 'POST', origin: 'http://a', expectedOrigin: null })).toBe(
      false,
    );
  });
});
