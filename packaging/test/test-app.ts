import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CodeBlock } from './readme-blocks.js';
import { type PackedPackage, ROOT } from './pack.js';

const run = promisify(execFile);

/**
 * What a user of the READMEs installs next to the two tarballs, at the versions the monorepo
 * tests with (so an offline npm cache has them).
 */
const APP_DEPENDENCIES = [
  'ioredis',
  'bullmq',
  'pg',
  '@types/pg',
  '@electric-sql/pglite',
  'react',
  '@types/react',
  '@types/node',
];

function installedVersion(name: string): string {
  const manifest = join(ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The strict settings the README examples must compile under; `moduleResolution` varies. */
const COMPILER_OPTIONS = {
  target: 'ES2023',
  lib: ['ES2023', 'DOM', 'DOM.Iterable'],
  types: ['node'],
  jsx: 'react-jsx',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedSideEffectImports: true,
  isolatedModules: true,
  // Every block is a module, as every file of an ESM app is (nodenext does so from
  // `"type": "module"`; bundler would take a block without imports for a script).
  moduleDetection: 'force',
};

export type Resolution = 'nodenext' | 'bundler';

export interface TestApp {
  readonly dir: string;
  /**
   * Writes the blocks to `blocks/` (with the reader's context) and compiles them; rejects with
   * tsc's output. `skipLibCheck` as `tsc --init` sets it (true) unless told otherwise.
   */
  compile(
    blocks: readonly Pick<CodeBlock, 'fileName' | 'code'>[],
    resolution: Resolution,
    options?: { readonly skipLibCheck?: boolean },
  ): Promise<void>;
  /** The JavaScript of a block compiled with `nodenext`, ready for `node`. */
  emitted(block: CodeBlock): string;
}

/** A fresh ESM app with the tarballs installed as a user would (`npm install <tarball>`). */
export async function createTestApp(packed: readonly PackedPackage[]): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'progressrus-app-'));
  const dependencies = Object.fromEntries([
    ...packed.map((pkg) => [pkg.name, `file:${pkg.tarball}`]),
    ...APP_DEPENDENCIES.map((name) => [name, installedVersion(name)]),
  ]);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'readme-app', private: true, type: 'module', dependencies }, null, 2),
  );
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ],
    { cwd: dir },
  );
  mkdirSync(join(dir, 'blocks'));
  copyFileSync(join(import.meta.dirname, 'readme-context.d.ts'), join(dir, 'readme-context.d.ts'));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

  return {
    dir,
    async compile(blocks, resolution, { skipLibCheck = true } = {}) {
      for (const block of blocks)
        writeFileSync(join(dir, 'blocks', block.fileName), `${block.code}\n`);
      const project = `tsconfig.${resolution}${skipLibCheck ? '' : '.lib-check'}.json`;
      const nodenext = resolution === 'nodenext';
      writeFileSync(
        join(dir, project),
        JSON.stringify({
          compilerOptions: {
            ...COMPILER_OPTIONS,
            skipLibCheck,
            module: nodenext ? 'nodenext' : 'esnext',
            moduleResolution: resolution,
            ...(nodenext && skipLibCheck ? { outDir: 'out', rootDir: '.' } : { noEmit: true }),
          },
          files: ['readme-context.d.ts', ...blocks.map((block) => `blocks/${block.fileName}`)],
        }),
      );
      try {
        await run(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: dir });
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        throw new Error(`${stdout}${stderr}`);
      }
    },
    emitted(block) {
      return join(dir, 'out', 'blocks', block.fileName.replace(/\.tsx?$/, '.js'));
    },
  };
}
