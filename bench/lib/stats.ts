export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile, q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (position - low);
}

/** Nanoseconds since an arbitrary origin, as a number (precise to well under a microsecond for hours). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export function nowMs(): number {
  return nowNs() / 1e6;
}

/** Times `fn` `runs` times after `warmup` untimed runs; returns each run's milliseconds. */
export async function timeRuns(
  runs: number,
  warmup: number,
  fn: () => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = nowNs();
    await fn();
    times.push((nowNs() - start) / 1e6);
  }
  return times;
}

/** `1234567` → `1,234,567`; fractions to `digits` places. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
