'use client';

/**
 * Any unexpected failure of a page. In production Next.js sends no message or stack to the
 * browser, only a digest that matches the server log line.
 */
export default function ErrorPage({
  error,
  reset,
}: {
  readonly error: Error & { digest?: string };
  readonly reset: () => void;
}) {
  return (
    <div className="notice error" role="alert">
      <h2>Something went wrong while loading this page</h2>
      <p>Try again; if it keeps failing, the server log has the details.</p>
      {error.digest ? <p className="muted">Reference: {error.digest}</p> : null}
      <button type="button" className="button" onClick={() => reset()}>
        Try again
      </button>
    </div>
  );
}
