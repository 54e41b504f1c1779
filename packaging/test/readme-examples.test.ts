import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRedisServer } from 'progressrus/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { packAll } from './pack.js';
import {
  type CodeBlock,
  excerptMismatches,
  excerptOf,
  readmeBlocks,
  toReadmeLines,
} from './readme-blocks.js';
import { createTestApp, type TestApp } from './test-app.js';

const run = promisify(execFile);

const blocks = readmeBlocks();
const compiled = blocks.filter((block) => !block.flags.includes('no-compile'));
const excerpts = blocks.flatMap((block) => {
  const path = block.flags.includes('no-compile') ? excerptOf(block) : null;
  return path === null ? [] : [{ block, path }];
});
const runnable = compiled.filter((block) => block.flags.includes('run'));

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp(packAll());
});

describe('README examples, against the packed packages', () => {
  it('finds the examples, few of them marked no-compile', () => {
    expect(compiled.length).toBeGreaterThan(10);
    // Excerpts of repository files are compiled with their app; the rest of no-compile is few.
    expect(blocks.length - compiled.length - excerpts.length).toBeLessThanOrEqual(3);
    expect(runnable.map((block) => block.readme)).toContain('plugin/README.md');
  });

  it('quote their files faithfully, where they are excerpts of the repository (// <path>)', () => {
    const wrong = excerpts.flatMap(({ block, path }) =>
      excerptMismatches(block, path).map(
        (line) => `${block.readme}:${block.line} (${path}): ${line}`,
      ),
    );
    expect(wrong).toEqual([]);
  });

  it.each(['nodenext', 'bundler'] as const)(
    'compile under strict and exactOptionalPropertyTypes, moduleResolution %s',
    async (resolution) => {
      await expect(
        app.compile(compiled, resolution).catch((error: Error) => {
          throw new Error(toReadmeLines(error.message, compiled));
        }),
      ).resolves.toBeUndefined();
    },
  );

  it('the types of every entry point compile with skipLibCheck off (moduleResolution nodenext)', async () => {
    // One resolution only: checking every library's types is the slowest step here, and the
    // README blocks above already resolve the same exports under both.
    const resolution = 'nodenext';
    // Without skipLibCheck, a type import of a package the tarball does not bring (as
    // @progressrus/ui's of progressrus once was) is an error instead of a silent `any`.
    const entries = {
      fileName: 'entries.ts',
      code: [
        "import type * as core from 'progressrus';",
        "import type * as bullmq from 'progressrus/bullmq';",
        "import type * as isomorphic from 'progressrus/core';",
        "import type * as http from 'progressrus/http';",
        "import type * as postgres from 'progressrus/postgres';",
        "import type * as testing from 'progressrus/testing';",
        "import type * as ui from '@progressrus/ui';",
        "import '@progressrus/ui/styles.css';",
        'export type Entries = [typeof core, typeof bullmq, typeof http, typeof postgres, typeof testing, typeof ui, typeof isomorphic];',
        // JobDTO as @progressrus/ui's props see it: the real type, not `any`.
        'type IsAny<T> = 0 extends 1 & T ? true : false;',
        "export const jobIsTyped: IsAny<ui.JobListProps['jobs'][number]> = false;",
      ].join('\n'),
    };
    await expect(
      app.compile([entries], resolution, { skipLibCheck: false }),
    ).resolves.toBeUndefined();
  });

  it.each(runnable.map((block): [string, CodeBlock] => [`${block.readme}:${block.line}`, block]))(
    '%s runs against a real Redis and exits by itself',
    async (_, block) => {
      const redis = await startRedisServer();
      try {
        const { stdout } = await run(process.execPath, [app.emitted(block)], {
          cwd: app.dir,
          env: { ...process.env, REDIS_URL: redis.url },
          // The example must end on its own: a hang (an open connection or timer) fails here.
          timeout: 30_000,
        });
        expect(stdout).toMatch(/completed/);
      } finally {
        await redis.stop();
      }
    },
  );
});
