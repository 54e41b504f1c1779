// Declares `import '@progressrus/ui/styles.css'` for TypeScript: a side-effect import of a
// module without types is an error under `noUncheckedSideEffectImports` (the default since
// TypeScript 6). The stylesheet exports nothing.
export {};
