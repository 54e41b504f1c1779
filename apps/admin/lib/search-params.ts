/** Page props' `searchParams` values are `string | string[] | undefined`; pages want one string. */
export type SearchParams = Record<string, string | string[] | undefined>;

export function param(params: SearchParams, name: string): string | null {
  const value = params[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? null : text;
}

/** Builds `?a=1&b=2` from the non-empty values, or '' when there are none. */
export function query(values: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** `/scopes/user%3A3421`: the scope page of a scope key. */
export function scopeHref(key: string): string {
  return `/scopes/${encodeURIComponent(key)}`;
}

/** The job page of a record. */
export function jobHref(key: string, id: string): string {
  return `${scopeHref(key)}/jobs/${encodeURIComponent(id)}`;
}

/** A dynamic route segment as text: decodes `%3A` and friends, leaves text that is not encoded. */
export function segment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
