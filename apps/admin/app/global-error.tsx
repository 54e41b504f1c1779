'use client';

/** Shown when even the root layout fails; it replaces the whole document, so it brings its own. */
export default function GlobalError({ error }: { readonly error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: 40 }}>
        <h1 style={{ fontSize: 20 }}>The admin could not load</h1>
        <p>Reload the page; if it keeps failing, the server log has the details.</p>
        {error.digest && <p>Reference: {error.digest}</p>}
      </body>
    </html>
  );
}
