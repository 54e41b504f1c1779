/**
 * Who sent a request and to which origin, from headers the admin can trust. Forwarded headers
 * (`X-Forwarded-For`, `-Host`, `-Proto`) are anyone's to send: they count only with
 * `TRUST_PROXY=1`, for an admin that is reachable ONLY through one reverse proxy that sets them.
 * Otherwise the facts come from the connection itself, which instrumentation.ts records in the
 * two headers below (overwriting whatever a client sent under those names).
 */

/** The TCP peer's address, written by the request guard (lib/request-guard.ts). */
export const PEER_ADDRESS_HEADER = 'x-progressrus-peer-address';
/** `https` when the connection itself is TLS, else `http`; written by the request guard. */
export const PEER_SCHEME_HEADER = 'x-progressrus-peer-scheme';

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * The address failed sign-ins are counted against. Behind a trusted proxy: the last
 * `X-Forwarded-For` entry, the one that proxy appended (earlier entries are the client's to
 * invent). Otherwise the connection's peer; `'unknown'` only when neither is known, which then
 * makes every such client share one count.
 */
export function clientAddress(headers: HeaderSource, trustProxy: boolean): string {
  if (trustProxy) {
    const last = lastListEntry(headers.get('x-forwarded-for'));
    if (last !== null) return last;
  }
  return headers.get(PEER_ADDRESS_HEADER) || 'unknown';
}

/**
 * The origin (`scheme://host[:port]`) the browser addressed, which a same-site page's `Origin`
 * header must equal. `null` without a Host header.
 */
export function requestOrigin(headers: HeaderSource, trustProxy: boolean): string | null {
  const host =
    (trustProxy ? firstListEntry(headers.get('x-forwarded-host')) : null) ?? headers.get('host');
  if (!host) return null;
  const scheme =
    (trustProxy ? firstListEntry(headers.get('x-forwarded-proto')) : null) ??
    headers.get(PEER_SCHEME_HEADER) ??
    'http';
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

function firstListEntry(value: string | null): string | null {
  const first = value?.split(',')[0]?.trim();
  return first ? first : null;
}

function lastListEntry(value: string | null): string | null {
  const last = value?.split(',').at(-1)?.trim();
  return last ? last : null;
}
