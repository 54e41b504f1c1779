import Link from 'next/link';

/**
 * Cursor pages only know the way forward, so the links carry the cursors of the pages before
 * (`back`, comma-separated); this marks the first page, which has none. `~` is outside the
 * base64url alphabet of cursors.
 */
const FIRST_PAGE = '~';

/** `back` as the page read it from the URL: the cursors of the pages before, oldest first. */
export function parseBack(value: string | null): string[] {
  return value === null || value === '' ? [] : value.split(',');
}

/**
 * "← previous / next →" links over cursor pages: each page costs one store query however far
 * it is from the first, and the way back is the cursors carried in the URL.
 */
export function CursorPager({
  cursor,
  nextCursor,
  back,
  href,
  labels,
}: {
  /** The cursor of this page; null on the first. */
  readonly cursor: string | null;
  readonly nextCursor: string | null;
  readonly back: readonly string[];
  /** The URL of a page, from its cursor and the cursors before it. */
  readonly href: (page: { cursor: string | null; back: string }) => string;
  readonly labels: readonly [previous: string, next: string];
}) {
  const previous = back.at(-1);
  return (
    <nav aria-label="Pages">
      {previous === undefined ? (
        <span className="button disabled">{labels[0]}</span>
      ) : (
        <Link
          className="button"
          href={href({
            cursor: previous === FIRST_PAGE ? null : previous,
            back: back.slice(0, -1).join(','),
          })}
        >
          {labels[0]}
        </Link>
      )}
      {nextCursor === null ? (
        <span className="button disabled">{labels[1]}</span>
      ) : (
        <Link
          className="button"
          href={href({ cursor: nextCursor, back: [...back, cursor ?? FIRST_PAGE].join(',') })}
        >
          {labels[1]}
        </Link>
      )}
    </nav>
  );
}
