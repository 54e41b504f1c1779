import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PORTAL_APP } from '../portal-app';

const ROOT = join(PORTAL_APP.dir, '../..');
const SECTION = '## Show users their own jobs';
/** A line of an excerpt that stands for code left out. */
const ELISION = /^\/\/ …/;

/** The ts/tsx blocks of the README's portal section: the file each names, and its code lines. */
function excerpts(): { file: string; chunks: string[][] }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```tsx? no-compile\n([\s\S]*?)```/g)].map((match) => {
    const [first = '', ...lines] = (match[1] ?? '').split('\n').map((line) => line.trim());
    const chunks: string[][] = [[]];
    for (const line of lines) {
      if (ELISION.test(line)) chunks.push([]);
      else if (line !== '') chunks.at(-1)?.push(line);
    }
    return { file: first.replace(/^\/\/ /, ''), chunks: chunks.filter((c) => c.length > 0) };
  });
}

describe('README: "Show users their own jobs"', () => {
  it('quotes the portal’s code as it is, line for line', () => {
    const found = excerpts();
    expect(found.length).toBeGreaterThanOrEqual(5);
    for (const { file, chunks } of found) {
      expect(file).toMatch(/^apps\/portal\//);
      const source = readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .join('\n');
      for (const chunk of chunks) {
        expect(source, `${file} no longer has:\n${chunk.join('\n')}`).toContain(chunk.join('\n'));
      }
    }
  });
});
