import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import type { JobDTO } from 'progressrus/core';
import { chromiumLaunchOptions } from 'progressrus/testing';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressChart } from '../../src/progress-chart.js';
import { makeJob } from '../unit/jobs.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS = join(HERE, '..', '..', '..', 'docs');
const STYLES = readFileSync(join(HERE, '..', '..', 'src', 'styles.css'), 'utf8');
const T0 = Date.parse('2026-11-27T20:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A job that ran, stopped at 45 %, and has been silent since. */
const stalled: JobDTO = makeJob({
  id: 'catalog-import',
  name: 'catalog-import',
  status: 'stalled',
  count: 1_350,
  total: 3_000,
  percentage: 45,
  stalledAt: at(66),
  eta: at(190),
  history: [0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60].map((s, i) => ({
    at: at(s),
    count: Math.min(1_350, [0, 180, 330, 520, 640, 800, 950, 1_100, 1_250, 1_350, 1_350][i] as number),
    retry: false,
  })),
});

/** Attempt 1 failed at 30 %; attempt 2 started over and is at 60 %. */
const retried: JobDTO = makeJob({
  id: 'card-charges',
  name: 'card-charges',
  count: 150,
  total: 250,
  percentage: 60,
  eta: at(110),
  history: [
    { at: at(0), count: 0, retry: false },
    { at: at(10), count: 40, retry: false },
    { at: at(20), count: 75, retry: false },
    { at: at(26), count: 0, retry: true },
    { at: at(36), count: 45, retry: false },
    { at: at(46), count: 95, retry: false },
    { at: at(58), count: 150, retry: false },
  ],
});

function page(job: JobDTO): string {
  const chart = renderToStaticMarkup(createElement(ProgressChart, { job, width: 640, height: 200 }));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>${STYLES}</style></head>
<body class="progressrus" style="padding:16px;font-family:system-ui"><h1 style="font-size:16px">${job.name} — ${job.status}</h1>${chart}</body></html>`;
}

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
});

describe('ProgressChart in a real browser', () => {
  it('names the chart, its stall mark and its dashed projection, and draws them in the box', async () => {
    const tab = await browser.newPage({ viewport: { width: 680, height: 280 } });
    await tab.setContent(page(stalled));
    const chart = tab.getByRole('img', { name: 'Progress of catalog-import' });
    await expect(chart.isVisible()).resolves.toBe(true);
    await expect(tab.getByRole('img', { name: 'Stalled' }).count()).resolves.toBe(1);
    const line = await tab.locator('polyline').boundingBox();
    const projection = await tab.getByTestId('eta-projection').boundingBox();
    expect(line?.width).toBeGreaterThan(100);
    // The projection starts where the line ends and goes on to the right.
    expect(projection?.x).toBeGreaterThanOrEqual((line?.x ?? 0) + (line?.width ?? 0) - 2);
    await tab.screenshot({ path: join(DOCS, 'progress-chart-stall.png') });
    await tab.close();
  });

  it('marks the retry where the second attempt started over', async () => {
    const tab = await browser.newPage({ viewport: { width: 680, height: 280 } });
    await tab.setContent(page(retried));
    await expect(tab.getByRole('img', { name: 'Retry' }).count()).resolves.toBe(1);
    const description = await tab.locator('svg desc').textContent();
    expect(description).toBe(`7 samples, 150 of 250 done. 1 retry. Projected finish ${at(110)}.`);
    await tab.screenshot({ path: join(DOCS, 'progress-chart-retry.png') });
    await tab.close();
  });
});
