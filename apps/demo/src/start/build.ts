import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildGroup } from './child-group.js';
import { REPO_DIR } from './paths.js';

/**
 * One workspace to build: what its build reads and the file that proves a build is there. The
 * one list of each app's build inputs: `npm start`, the apps' e2e tests and the bench all ask
 * `isBuilt()`.
 */
interface BuildStep {
  readonly workspace: Workspace;
  readonly dir: string;
  /** Paths relative to `dir` whose newest file must be older than `output`. */
  readonly inputs: readonly string[];
  readonly output: string;
  readonly note?: string;
}

const STEPS: readonly BuildStep[] = [
  {
    workspace: 'progressrus',
    dir: 'plugin',
    inputs: ['src', 'package.json', 'tsconfig.build.json'],
    output: 'dist/index.js',
  },
  {
    workspace: '@progressrus/ui',
    dir: 'ui',
    inputs: ['src', 'package.json', 'tsconfig.build.json'],
    output: 'dist/index.js',
  },
  {
    workspace: '@progressrus/admin',
    dir: 'apps/admin',
    inputs: [
      'app',
      'components',
      'lib',
      'proxy.ts',
      'instrumentation.ts',
      'next.config.ts',
      'package.json',
      '../../plugin/dist',
      '../../ui/dist',
    ],
    output: '.next/BUILD_ID',
    note: 'a production Next.js build, a minute or two the first time',
  },
  {
    workspace: '@progressrus/portal',
    dir: 'apps/portal',
    inputs: [
      'app',
      'components',
      'lib',
      'instrumentation.ts',
      'next.config.ts',
      'package.json',
      '../../plugin/dist',
      '../../ui/dist',
      '../demo/src/workload',
    ],
    output: '.next/BUILD_ID',
    note: 'the users’ side, another production Next.js build',
  },
];

/** The workspaces `npm start` builds, in order. */
export type Workspace =
  | 'progressrus'
  | '@progressrus/ui'
  | '@progressrus/admin'
  | '@progressrus/portal';

/**
 * Builds the given workspaces (the library, the UI, the admin and portal apps), each only when its sources
 * are newer than its last build: a second `npm start` starts in seconds. A failed build throws
 * with the tail of its output.
 */
export async function ensureBuilt(
  children: ChildGroup,
  log: (line: string) => void,
  workspaces: readonly Workspace[],
): Promise<void> {
  for (const step of STEPS.filter((candidate) => workspaces.includes(candidate.workspace))) {
    if (isFresh(step)) continue;
    log(`Building ${step.workspace}${step.note ? ` (${step.note})` : ''}…`);
    await run(children, ['run', 'build', '-w', step.workspace]);
  }
}

/** True when the workspace's build output is newer than every file its build reads. */
export function isBuilt(workspace: Workspace): boolean {
  const step = STEPS.find((candidate) => candidate.workspace === workspace);
  if (!step) throw new Error(`No build step for ${workspace}`);
  return isFresh(step);
}

function isFresh(step: BuildStep): boolean {
  const dir = join(REPO_DIR, step.dir);
  const built = mtime(join(dir, step.output));
  const newest = Math.max(...step.inputs.map((input) => newestMtime(join(dir, input))));
  return built !== null && built > newest;
}

async function run(children: ChildGroup, args: string[]): Promise<void> {
  const child = spawn('npm', args, {
    cwd: REPO_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = children.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  children.remove(stop);
  if (code !== 0)
    throw new Error(`\`npm ${args.join(' ')}\` failed (exit ${code}):\n${output.slice(-4000)}`);
}

function mtime(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? null;
}

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}
