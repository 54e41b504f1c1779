import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_DIR } from '../src/start/paths.js';
import { QUEUES } from '../src/workload/job-plan.js';

// Nothing here can run Docker: these tests read the files and check that they fit together.

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval: string; retries: number };
  init?: boolean;
}

const read = (path: string) => readFileSync(join(REPO_DIR, path), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const dockerfile = read('Dockerfile');
const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1]);

describe('docker-compose.yml', () => {
  const { redis, admin, portal, demo } = compose.services;

  it('has exactly redis, admin, portal and demo', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['admin', 'demo', 'portal', 'redis']);
  });

  it('runs Redis with a healthcheck, on the localhost port the "no redis-server" message names', () => {
    expect(redis?.image).toMatch(/^redis:\d/);
    expect(redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis?.ports).toEqual(['127.0.0.1:6379:6379']);
    expect(read('plugin/src/testing/redis-server.ts')).toContain(
      'docker compose up -d redis   (then REDIS_URL=redis://localhost:6379)',
    );
  });

  it('builds admin, portal and demo from the repo, from stages of the Dockerfile, once Redis is healthy', () => {
    for (const [name, service] of [
      ['admin', admin],
      ['portal', portal],
      ['demo', demo],
    ] as const) {
      expect(service?.build).toEqual({ context: '.', target: name });
      expect(stages).toContain(name);
      expect(service?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
      expect(service?.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(service?.init).toBe(true);
    }
  });

  it('publishes the dashboard on localhost:3000 with the variables the admin reads', () => {
    expect(admin?.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(admin?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/');
    const environment = admin?.environment ?? {};
    expect(environment.PROGRESSRUS_QUEUES?.split(',')).toEqual([...QUEUES]);
    expect(environment.ADMIN_USER).toBe('${ADMIN_USER:-admin}');
    // Empty unless given: the container then makes a password for the run, as `npm start` does.
    expect(environment.ADMIN_PASSWORD).toBe('${ADMIN_PASSWORD:-}');
    const adminEnv = read('apps/admin/lib/env.ts');
    for (const name of ['REDIS_URL', 'PROGRESSRUS_QUEUES', 'ADMIN_USER', 'ADMIN_PASSWORD']) {
      expect(adminEnv).toContain(`${name}:`);
    }
  });
  it('publishes the portal on localhost:3001, with the variables the portal reads, and links the admin to it', () => {
    expect(portal?.ports).toEqual(['127.0.0.1:3001:3001']);
    expect(portal?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3001/sign-in');
    // Empty unless given: the container then makes a secret for the run.
    expect(portal?.environment?.PORTAL_SECRET).toBe('${PORTAL_SECRET:-}');
    const portalEnv = read('apps/portal/lib/env.ts');
    for (const name of ['REDIS_URL', 'PORTAL_SECRET']) expect(portalEnv).toContain(`${name}:`);
    // The admin links to it where a browser reaches it, not where containers do.
    expect(admin?.environment?.PORTAL_URL).toBe('http://localhost:3001');
    expect(read('apps/admin/lib/env.ts')).toContain('PORTAL_URL:');
  });
});

describe('Dockerfile', () => {
  it('copies the manifest of every workspace before `npm ci`, which refuses to run without them', () => {
    const { workspaces } = JSON.parse(read('package.json')) as { workspaces: string[] };
    const copied = [...dockerfile.matchAll(/^COPY (\S+)\/package\.json /gm)].map(
      (match) => match[1],
    );
    const expected = workspaces.flatMap((pattern) => {
      if (!pattern.endsWith('/*')) return [pattern];
      const parent = pattern.slice(0, -2);
      return readdirSync(join(REPO_DIR, parent))
        .filter((name) => existsSync(join(REPO_DIR, parent, name, 'package.json')))
        .map((name) => `${parent}/${name}`);
    });
    expect(copied.sort()).toEqual(expected.sort());
    expect(dockerfile.indexOf('RUN npm ci')).toBeGreaterThan(
      dockerfile.lastIndexOf('/package.json '),
    );
  });

  it('builds the library, the UI, the admin and the portal, and starts what each service needs', () => {
    for (const workspace of [
      'progressrus',
      '@progressrus/ui',
      '@progressrus/admin',
      '@progressrus/portal',
    ]) {
      expect(dockerfile).toContain(`npm run build -w ${workspace}`);
    }
    expect(dockerfile).toContain('apps/demo/src/workload-main.ts');
    expect(existsSync(join(REPO_DIR, 'apps/demo/src/workload-main.ts'))).toBe(true);
    // The admin's serve.mjs is `next start`, in WEB_CONCURRENCY processes when that is set.
    for (const [app, server, port] of [
      ['admin', 'node serve.mjs', 3000],
      ['portal', 'next start', 3001],
    ] as const) {
      const script = `apps/demo/docker/start-${app}.sh`;
      expect(dockerfile).toContain(`CMD ["sh", "${script}"]`);
      expect(read(script)).toContain(`${server} --hostname 0.0.0.0 --port ${port}`);
      expect(statSync(join(REPO_DIR, script)).mode & 0o111).not.toBe(0);
      // Valid sh: the image has no bash.
      execFileSync('sh', ['-n', join(REPO_DIR, script)]);
    }
  });

  it('leaves host builds and dependencies out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/.next', '**/dist', '.git'])
      expect(ignored).toContain(entry);
  });
});
