import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="card empty">
      <h2>Not found</h2>
      <p>
        This scope or job does not exist. Finished jobs disappear when their retention ends, and
        removed ones are gone for good. <Link href="/">Back to every scope</Link>
      </p>
    </div>
  );
}
