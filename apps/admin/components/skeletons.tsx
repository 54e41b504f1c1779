/** Placeholders with the shape of the table that is loading, so the page does not jump. */
export function TableSkeleton({
  columns,
  rows = 8,
}: {
  readonly columns: number;
  readonly rows?: number;
}) {
  return (
    <div className="table-wrap" role="status" aria-busy="true" aria-label="Loading">
      <table className="data">
        <thead>
          <tr>
            {Array.from({ length: columns }, (_, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
              <th key={index}>
                <span className="skeleton" style={{ width: 60 }} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, row) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <tr key={row}>
              {Array.from({ length: columns }, (_, column) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
                <td key={column}>
                  <span className="skeleton" style={{ width: column === 0 ? 160 : 70 }} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
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
