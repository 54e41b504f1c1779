import { z } from 'zod';

/**
 * The admin's whole configuration, read from the environment once and validated here, so a
 * mistake stops the app at start with one readable message instead of failing on some request.
 *
 * | variable              | meaning                                                       | default                  |
 * |-----------------------|---------------------------------------------------------------|--------------------------|
 * | `REDIS_URL`           | Redis holding the records (and the BullMQ queues)             | `redis://127.0.0.1:6379` |
 * | `PROGRESSRUS_PREFIX`  | key prefix of the RedisStore                                  | `progressrus`            |
 * | `PROGRESSRUS_QUEUES`  | comma-separated BullMQ queue names shown in bull-board        | none                     |
 * | `BULLMQ_PREFIX`       | BullMQ's key prefix                                           | `bull`                   |
 * | `ADMIN_USER`          | HTTP Basic user name                                          | none                     |
 * | `ADMIN_PASSWORD`      | HTTP Basic password                                           | none                     |
 * | `PROGRESSRUS_STORE`   | `redis` or `postgres`                                         | `redis`                  |
 * | `DATABASE_URL`        | PostgreSQL URL, when `PROGRESSRUS_STORE=postgres`             | none                     |
 * | `PORTAL_URL`          | the demo portal, linked from `user:N` scopes ("what this user sees") | none              |
 * | `TRUST_PROXY`         | `1`: believe `X-Forwarded-*` (only behind one reverse proxy)  | `0`                      |
 *
 * Credentials may be left out only in development (`next dev`, bound to localhost). In
 * production the password must be at least 12 characters.
 */
export interface AdminEnv {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly queues: readonly string[];
  readonly bullPrefix: string;
  /** null only in development, where the app then serves loopback requests without a password. */
  readonly credentials: { readonly user: string; readonly password: string } | null;
  readonly store: 'redis' | 'postgres';
  readonly databaseUrl: string | null;
  /** Where the demo's portal runs (no trailing slash); null: no "what this user sees" links. */
  readonly portalUrl: string | null;
  readonly production: boolean;
  /**
   * Whether `X-Forwarded-For/-Host/-Proto` are believed (client address, Origin check). Set it
   * only when every request reaches the admin through a reverse proxy that overwrites them.
   */
  readonly trustProxy: boolean;
}

/** The shortest admin password production accepts: HTTP Basic has no second factor. */
export const MIN_PRODUCTION_PASSWORD_LENGTH = 12;

/** Thrown when the environment is unusable; the message names every variable that is wrong. */
export class AdminEnvError extends Error {
  override readonly name = 'AdminEnvError';
}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const schema = z
  .object({
    NODE_ENV: z.string().optional(),
    REDIS_URL: optionalText.pipe(
      z
        .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
        .default('redis://127.0.0.1:6379'),
    ),
    PROGRESSRUS_PREFIX: optionalText.pipe(
      z
        .string()
        .regex(/^[^\s]+$/, 'must not contain spaces')
        .default('progressrus'),
    ),
    PROGRESSRUS_QUEUES: optionalText.transform((value) =>
      value === undefined
        ? []
        : [
            ...new Set(
              value
                .split(',')
                .map((name) => name.trim())
                .filter((name) => name !== ''),
            ),
          ],
    ),
    BULLMQ_PREFIX: optionalText.pipe(z.string().default('bull')),
    ADMIN_USER: optionalText.pipe(
      z
        .string()
        .refine((user) => !user.includes(':'), "must not contain ':'")
        .optional(),
    ),
    ADMIN_PASSWORD: optionalText,
    PROGRESSRUS_STORE: optionalText.pipe(z.enum(['redis', 'postgres']).default('redis')),
    DATABASE_URL: optionalText.pipe(
      z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
    ),
    PORTAL_URL: optionalText.pipe(
      z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    ),
    TRUST_PROXY: optionalText.pipe(
      z
        .enum(['0', '1', 'false', 'true'], { error: 'must be 1 (or true) or 0 (or false)' })
        .default('0')
        .transform((value) => value === '1' || value === 'true'),
    ),
  })
  .superRefine((env, context) => {
    const production = env.NODE_ENV === 'production';
    if ((env.ADMIN_USER === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [env.ADMIN_USER === undefined ? 'ADMIN_USER' : 'ADMIN_PASSWORD'],
        message: 'must be set together with the other one',
      });
    } else if (production && env.ADMIN_USER === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['ADMIN_USER'],
        message:
          'ADMIN_USER and ADMIN_PASSWORD are required in production: the admin never serves job data without credentials',
      });
    }
    if (
      production &&
      env.ADMIN_PASSWORD !== undefined &&
      [...env.ADMIN_PASSWORD].length < MIN_PRODUCTION_PASSWORD_LENGTH
    ) {
      context.addIssue({
        code: 'custom',
        path: ['ADMIN_PASSWORD'],
        message: `must be at least ${MIN_PRODUCTION_PASSWORD_LENGTH} characters in production (it has ${[...env.ADMIN_PASSWORD].length}): the admin is guarded by this password alone; generate one, e.g. \`openssl rand -base64 18\``,
      });
    }
    if (env.PROGRESSRUS_STORE === 'postgres' && env.DATABASE_URL === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required when PROGRESSRUS_STORE=postgres',
      });
    }
  });

/**
 * Validates an environment and returns the admin's configuration.
 *
 * @example
 * const env = loadEnv({ NODE_ENV: 'production', ADMIN_USER: 'ops', ADMIN_PASSWORD: 's3cret' });
 * env.credentials; // { user: 'ops', password: 's3cret' }
 */
export function loadEnv(
  source: Readonly<Record<string, string | undefined>> = process.env,
): AdminEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(environment)'} ${issue.message}`,
    );
    throw new AdminEnvError(`The admin's environment is invalid:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  return {
    redisUrl: env.REDIS_URL,
    prefix: env.PROGRESSRUS_PREFIX,
    queues: env.PROGRESSRUS_QUEUES,
    bullPrefix: env.BULLMQ_PREFIX,
    credentials:
      env.ADMIN_USER !== undefined && env.ADMIN_PASSWORD !== undefined
        ? { user: env.ADMIN_USER, password: env.ADMIN_PASSWORD }
        : null,
    store: env.PROGRESSRUS_STORE,
    databaseUrl: env.DATABASE_URL ?? null,
    portalUrl: env.PORTAL_URL?.replace(/\/+$/, '') ?? null,
    production: env.NODE_ENV === 'production',
    trustProxy: env.TRUST_PROXY,
  };
}

let cached: AdminEnv | undefined;

/** The process's configuration, validated on first use. */
export function env(): AdminEnv {
  cached ??= loadEnv();
  return cached;
}
