import Form from 'next/form';

/** A GET form: the filter lives in the URL, so it can be shared and works without JavaScript. */
export function ScopeFilter({ prefix }: { readonly prefix: string }) {
  return (
    <Form action="/" className="filter" role="search">
      <label htmlFor="scope-filter" className="muted">
        Filter
      </label>
      <input
        id="scope-filter"
        type="search"
        name="prefix"
        defaultValue={prefix}
        placeholder="user:3421, or user: for every user"
        autoComplete="off"
        spellCheck={false}
      />
      <button type="submit" className="button">
        Search
      </button>
      {prefix !== '' && (
        <a className="button" href="/">
          Clear
        </a>
      )}
    </Form>
  );
}
