import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './pack.js';

/** The READMEs whose TypeScript blocks must compile against the published packages. */
export const READMES = ['README.md', 'plugin/README.md', 'ui/README.md'] as const;

export interface CodeBlock {
  /** The README it comes from, relative to the monorepo root. */
  readonly readme: string;
  /** The README line of the block's first code line (after the fence). */
  readonly line: number;
  readonly lang: 'ts' | 'tsx';
  /** Words after the language: `no-compile` skips the block, `run` runs it end to end. */
  readonly flags: readonly string[];
  readonly code: string;
  /** A file name for it in the test app, e.g. `plugin-readme-16.ts`. */
  readonly fileName: string;
}

// Fences may be indented (a block inside a list item); the indent is removed from the code.
const OPEN = /^([ \t]*)```(ts|tsx)((?:[ \t]+[\w-]+)*)[ \t]*$/;

/** Every ```ts and ```tsx block of the READMEs, in order. */
export function readmeBlocks(): CodeBlock[] {
  return READMES.flatMap((readme) => blocksOf(readme, readFileSync(join(ROOT, readme), 'utf8')));
}

export function blocksOf(readme: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = OPEN.exec(lines[index] as string);
    if (!open) continue;
    const end = lines.findIndex((line, at) => at > index && /^\s*```\s*$/.test(line));
    if (end === -1) throw new Error(`${readme}:${index + 1}: code block never closed`);
    const indent = open[1] as string;
    const lang = open[2] as 'ts' | 'tsx';
    const slug = readme.replace(/\.md$/i, '').replaceAll('/', '-').toLowerCase();
    blocks.push({
      readme,
      line: index + 2,
      lang,
      flags: (open[3] ?? '').trim().split(/\s+/).filter(Boolean),
      code: lines
        .slice(index + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n'),
      fileName: `${slug}-${index + 2}.${lang}`,
    });
    index = end;
  }
  return blocks;
}

/** Rewrites tsc's `blocks/plugin-readme-16.ts(3,7): error …` as `plugin/README.md:18:7: error …`. */
export function toReadmeLines(output: string, blocks: readonly CodeBlock[]): string {
  const byFile = new Map(blocks.map((block) => [block.fileName, block]));
  return output.replace(
    /(?:^|(?<=\n))blocks\/([\w.-]+)\((\d+),(\d+)\)/g,
    (match, file, line, col) => {
      const block = byFile.get(file);
      return block ? `${block.readme}:${block.line + Number(line) - 1}:${col}` : match;
    },
  );
}

/**
 * The repository file a block quotes, when its first line names one (`// apps/portal/lib/x.ts`):
 * such an excerpt is compiled with its app, and `excerptMismatches` keeps it true to the file.
 */
export function excerptOf(block: CodeBlock): string | null {
  const path = /^\/\/ ([\w./[\]-]+\.tsx?)$/.exec(block.code.split('\n')[0] ?? '')?.[1];
  return path !== undefined && existsSync(join(ROOT, path)) ? path : null;
}

/**
 * The lines of an excerpt that its file does not have, in order (indentation aside); `// …`
 * lines stand for what the excerpt leaves out.
 */
export function excerptMismatches(block: CodeBlock, path: string): string[] {
  const file = readFileSync(join(ROOT, path), 'utf8')
    .split('\n')
    .map((line) => line.trim());
  const wanted = block.code
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== '// …');
  const missing: string[] = [];
  let at = 0;
  for (const line of wanted) {
    const found = file.indexOf(line, at);
    if (found === -1) missing.push(line);
    else at = found + 1;
  }
  return missing;
}
