import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';

// Good enough for tsc's output, which writes every import and export on its own line.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s(?:(type)\s)?(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export interface Import {
  /** The module specifier as written. */
  readonly specifier: string;
  /** `import type` / `export type`: gone at run time. */
  readonly typeOnly: boolean;
}

/** The import and export specifiers of one emitted .js or .d.ts file. */
export function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => ({
    specifier: (match[2] ?? match[3]) as string,
    typeOnly: match[1] === 'type',
  }));
}

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`), or null. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return null;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

/**
 * The bare packages that loading `entry` (an emitted .js file) imports at run time, following
 * its relative imports through the package.
 */
export function runtimePackages(root: string, entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { specifier, typeOnly } of importsOf(join(root, file))) {
      if (typeOnly) continue;
      const name = packageOf(specifier);
      if (name !== null) packages.add(name);
      else if (specifier.startsWith('.')) visit(normalize(join(dirname(file), specifier)));
    }
  };
  visit(normalize(entry));
  return packages;
}
