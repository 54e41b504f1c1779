/**
 * Placeholders with the height of the table that is loading, so the page does not jump: one
 * line per row. Lines, not a table of cells: every page of the app carries its loading view in
 * its payload (Next.js sends it for client navigations), so it is kept to a few elements.
 */
export function TableSkeleton({ rows = 8 }: { readonly rows?: number }) {
  return (
    <div className="table-wrap table-skeleton" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows + 1 }, (_, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <span key={row} className="skeleton" />
      ))}
    </div>
  );
}

/** Widths of the placeholder lines, in %: different, so the block reads as text. */
const DETAIL_LINES = [40, 57, 74, 91, 48, 65, 82, 49];

export function DetailsSkeleton() {
  return (
    <div className="card section" role="status" aria-busy="true" aria-label="Loading">
      {DETAIL_LINES.map((width) => (
        <span key={width} className="skeleton" style={{ width: `${width}%`, marginBottom: 14 }} />
      ))}
    </div>
  );
}
