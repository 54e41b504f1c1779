export default function NotFound() {
  return (
    <div className="notice">
      <h1>Not found</h1>
      <p>
        There is no such page. The demo’s users are 1 to 7. <a href="/">Back to your jobs</a>
      </p>
    </div>
  );
}
