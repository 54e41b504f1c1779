/** The demo's queues, each with its own worker. */
export const QUEUES = ['imports', 'exports', 'billing'] as const;
export type QueueName = (typeof QUEUES)[number];

/** Users 1..7: each is a scope `['user', n]` on the dashboard. */
export const USERS = [1, 2, 3, 4, 5, 6, 7] as const;

/** How the speed of a job changes as it goes, as a factor of its base rate by fraction done. */
export type RateShape = 'steady' | 'speeds-up' | 'slows-down' | 'bursty';

/**
 * Everything a demo job does, decided by the producer and carried in `job.data`, so the
 * processor is plain and what the dashboard shows can be traced back to the plan.
 */
export interface DemoJobData {
  readonly user: number;
  /** Items the job processes. */
  readonly items: number;
  /** `known` from the start, `unknown` to the end, or `late`: found out after a tenth of the work. */
  readonly totalKnown: 'known' | 'unknown' | 'late';
  /** Items per second at a factor of 1. */
  readonly ratePerSecond: number;
  readonly shape: RateShape;
  /** Silence before the first item (reads `started`). */
  readonly prepareMs: number;
  /** A pause long enough to read `stalled`: at this fraction, for this long. */
  readonly stall: { readonly at: number; readonly ms: number } | null;
  /** Throws at this fraction on attempts up to `attempts` (BullMQ retries with `attempts` in the job options). */
  readonly failure: {
    readonly at: number;
    readonly attempts: number;
    readonly message: string;
  } | null;
  /** First run waits this long in BullMQ's delayed set before working (reads `delayed`). */
  readonly delayFirstMs: number;
  /**
   * Jobs this one adds as its children in its own queue when it first runs; it then waits for
   * them (reads `waiting-children`) and merges their results.
   */
  readonly children: readonly { readonly name: string; readonly data: DemoJobData }[];
  /** Set by the job once it added its children, so a rerun does not add them again. */
  readonly childrenAdded?: boolean;
}

/** One job to add: queue, BullMQ job name (the record's name), data, BullMQ attempts. */
export interface PlannedJob {
  readonly queue: QueueName;
  readonly name: string;
  readonly data: DemoJobData;
  readonly attempts: number;
  /** Wait between attempts: as long as it is, the record reads `retrying`. */
  readonly backoffMs: number;
}

/** The user whose scope shows most kinds of job at once: the one `npm start` suggests watching. */
export const SHOWCASE_USER = 3;

const BASE: Omit<DemoJobData, 'user' | 'items' | 'ratePerSecond'> = {
  totalKnown: 'known',
  shape: 'steady',
  prepareMs: 0,
  stall: null,
  failure: null,
  delayFirstMs: 0,
  children: [],
};

type Template = (user: number, random: () => number) => PlannedJob;

const between = (random: () => number, low: number, high: number) =>
  Math.round(low + random() * (high - low));

function job(
  queue: QueueName,
  name: string,
  data: Partial<DemoJobData> & Pick<DemoJobData, 'user' | 'items' | 'ratePerSecond'>,
  attempts = 1,
  backoffMs = 6000,
): PlannedJob {
  return { queue, name, data: { ...BASE, ...data }, attempts, backoffMs };
}

/**
 * The kinds of job the demo runs: together they put every status on the dashboard —
 * started, running (with known, unknown and late totals, speeding up and slowing down),
 * stalled, retrying, failed, delayed, waiting-children and completed. Durations are 20 s to
 * 2 min, so a visitor sees them move.
 */
export const TEMPLATES = {
  csvImport: (user, random) =>
    job('imports', 'csv-import', {
      user,
      items: between(random, 800, 3000),
      ratePerSecond: between(random, 30, 60),
    }),
  contactsSync: (user, random) =>
    job('imports', 'contacts-sync', {
      user,
      items: between(random, 300, 900),
      ratePerSecond: 12,
      shape: 'speeds-up',
      prepareMs: 5000,
    }),
  catalogImport: (user, random) =>
    job('imports', 'catalog-import', {
      user,
      items: between(random, 2000, 4000),
      ratePerSecond: 70,
      shape: 'bursty',
      stall: { at: 0.45, ms: 30_000 },
    }),
  mailboxScan: (user, random) =>
    job('imports', 'mailbox-scan', {
      user,
      items: between(random, 400, 1200),
      ratePerSecond: 15,
      totalKnown: 'unknown',
    }),
  csvExport: (user, random) =>
    job('exports', 'csv-export', {
      user,
      items: between(random, 1000, 2500),
      ratePerSecond: 45,
      shape: 'slows-down',
      totalKnown: 'late',
    }),
  pdfReport: (user, random) =>
    job(
      'exports',
      'pdf-report',
      {
        user,
        items: between(random, 60, 150),
        ratePerSecond: 2,
        failure: { at: 0.6, attempts: 1, message: 'renderer ran out of memory' },
      },
      3,
      20_000,
    ),
  monthlyReport: (user, random) =>
    job('exports', 'monthly-report', {
      user,
      items: 50,
      ratePerSecond: 4,
      children: [1, 2, 3].map((part) => ({
        name: `report-section-${part}`,
        data: {
          ...BASE,
          user,
          items: between(random, 200, 500),
          ratePerSecond: between(random, 10, 25),
        },
      })),
    }),
  invoiceRun: (user, random) =>
    job('billing', 'invoice-run', {
      user,
      items: between(random, 100, 400),
      ratePerSecond: 8,
      delayFirstMs: 30_000,
    }),
  cardCharges: (user, random) =>
    job(
      'billing',
      'card-charges',
      {
        user,
        items: between(random, 150, 300),
        ratePerSecond: 6,
        failure: { at: 0.3, attempts: 2, message: 'payment gateway timed out' },
      },
      2,
    ),
  refunds: (user, random) =>
    job('billing', 'refunds', {
      user,
      items: between(random, 20, 80),
      ratePerSecond: 1.5,
      shape: 'slows-down',
    }),
} as const satisfies Readonly<Record<string, Template>>;

/**
 * The first batch: every kind of job, and most of them at once for the showcase user, so that
 * one scope shows running, stalled, retrying, failed and delayed jobs side by side a minute in;
 * the other users get a job or two each.
 */
export function initialPlan(random: () => number): PlannedJob[] {
  const t = TEMPLATES;
  const showcase = [
    t.catalogImport,
    t.mailboxScan,
    t.csvExport,
    t.pdfReport,
    t.cardCharges,
    t.invoiceRun,
  ];
  const plan = showcase.map((template) => template(SHOWCASE_USER, random));
  const others = USERS.filter((user) => user !== SHOWCASE_USER);
  const rest = [
    t.csvImport,
    t.monthlyReport,
    t.contactsSync,
    t.refunds,
    t.csvExport,
    t.mailboxScan,
    t.csvImport,
    t.refunds,
  ];
  rest.forEach((template, index) => {
    plan.push(template(others[index % others.length] as number, random));
  });
  return plan;
}

/** One more job for a random user, for the steady trickle. */
export function nextJob(random: () => number): PlannedJob {
  return pick(Object.values(TEMPLATES), random)(pick(USERS, random), random);
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}
