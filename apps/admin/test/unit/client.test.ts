import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  PEER_ADDRESS_HEADER,
  PEER_SCHEME_HEADER,
  requestOrigin,
} from '../../lib/client';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('clientAddress', () => {
  const sent = headers({
    [PEER_ADDRESS_HEADER]: '10.0.0.5',
    'x-forwarded-for': '203.0.113.9, 198.51.100.7',
  });

  it('uses the connection peer and ignores X-Forwarded-For unless the proxy is trusted', () => {
    expect(clientAddress(sent, false)).toBe('10.0.0.5');
  });

  it('uses the entry the trusted proxy appended (the last), never the client-written first', () => {
    expect(clientAddress(sent, true)).toBe('198.51.100.7');
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: '10.0.0.5' }), true)).toBe('10.0.0.5');
  });

  it("shares one count 'unknown' when nothing names the client", () => {
    expect(clientAddress(headers({}), false)).toBe('unknown');
  });
});

describe('requestOrigin', () => {
  const forged = {
    host: 'admin.example:8080',
    [PEER_SCHEME_HEADER]: 'http',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
  };

  it('ignores X-Forwarded-Host and -Proto unless the proxy is trusted', () => {
    expect(requestOrigin(headers(forged), false)).toBe('http://admin.example:8080');
  });

  it('believes them behind a trusted proxy, scheme included', () => {
    expect(requestOrigin(headers(forged), true)).toBe('https://evil.example');
    expect(
      requestOrigin(headers({ host: 'admin.internal', 'x-forwarded-proto': 'https' }), true),
    ).toBe('https://admin.internal');
  });

  it('takes the scheme of the connection, and normalizes default ports', () => {
    expect(
      requestOrigin(headers({ host: 'a.example:443', [PEER_SCHEME_HEADER]: 'https' }), false),
    ).toBe('https://a.example');
    expect(requestOrigin(headers({}), false)).toBeNull();
  });
});
