import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The monorepo root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** The published packages: npm name and workspace folder. */
export const PACKAGES = [
  { name: 'progressrus', dir: 'plugin' },
  { name: '@progressrus/ui', dir: 'ui' },
] as const;

export type PackageName = (typeof PACKAGES)[number]['name'];

export interface PackedPackage {
  readonly name: PackageName;
  /** The tarball `npm pack` made. */
  readonly tarball: string;
  /** The tarball extracted: its `package/` folder, as npm installs it. */
  readonly root: string;
  /** Every file in the tarball, relative to `package/`. */
  readonly files: readonly string[];
}

/**
 * Packs both packages exactly as `npm publish` would (their builds must be current: turbo builds
 * them before this workspace's tests) and extracts each tarball.
 */
export function packAll(): PackedPackage[] {
  const dir = mkdtempSync(join(tmpdir(), 'progressrus-pack-'));
  return PACKAGES.map(({ name, dir: folder }) => {
    const out = execFileSync(
      'npm',
      ['pack', join(ROOT, folder), '--pack-destination', dir, '--json', '--ignore-scripts'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    if (!info) throw new Error(`npm pack ${folder} printed nothing`);
    const tarball = join(dir, info.filename);
    const root = join(dir, folder, 'package');
    mkdirSync(join(dir, folder));
    execFileSync('tar', ['-xzf', tarball, '-C', join(dir, folder)]);
    return { name, tarball, root, files: listFiles(root) };
  });
}

function listFiles(root: string, sub = ''): string[] {
  return readdirSync(join(root, sub), { withFileTypes: true }).flatMap((entry) => {
    const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
    return entry.isDirectory() ? listFiles(root, path) : [path];
  });
}
