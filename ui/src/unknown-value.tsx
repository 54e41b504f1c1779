/** A dash on screen, a word for screen readers (which would read "—" as "em dash" or nothing). */
export function UnknownValue({ label }: { readonly label: string }) {
  return (
    <span className="progressrus-unknown" title={label}>
      <span aria-hidden="true">—</span>
      <span className="progressrus-visually-hidden">{label}</span>
    </span>
  );
}
