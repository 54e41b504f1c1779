/** What every page shows instead of data when the store cannot be reached. */
export function StoreUnavailable({ message }: { readonly message: string }) {
  return (
    <div className="notice error" role="alert">
      <h2>The progress store is unreachable</h2>
      <p>{message}</p>
      <p className="muted">
        Check that Redis is running and that <code>REDIS_URL</code> points at it. This page shows
        data again as soon as the connection is back: reload it.
      </p>
    </div>
  );
}
