import { nowNs } from './stats.js';

// Parsed lengths are summed and reported, so the parsing is observable and cannot be dropped.
let sink = 0;

/** A CSV-like row of `fields` numbers and words, as JSON. */
function row(fields: number): string {
  return JSON.stringify(
    Array.from({ length: fields }, (_, i) => (i % 2 === 0 ? i * 7919 : `field-${i}`)),
  );
}

/**
 * A function doing about `micros` µs of CPU work, as an item of a realistic job: it parses a
 * row (`JSON.parse` of an array whose length is calibrated on this machine now). Parsing runs
 * in V8's native code, so it costs the same wherever the job calls it from; a loop of
 * arithmetic would not (V8 compiles it differently at each call site, up to 5× apart here).
 */
export function cpuWork(micros: number): {
  readonly item: () => void;
  readonly fields: number;
  readonly checksum: () => number;
} {
  let text = row(16);
  const item = () => {
    sink += (JSON.parse(text) as unknown[]).length;
  };
  for (let round = 0; round < 4; round++) {
    const probe = 5_000;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const start = nowNs();
      for (let j = 0; j < probe; j++) item();
      best = Math.min(best, (nowNs() - start) / probe);
    }
    const fields = (JSON.parse(text) as unknown[]).length;
    text = row(Math.max(1, Math.round((fields * micros * 1000) / best)));
  }
  return { item, fields: (JSON.parse(text) as unknown[]).length, checksum: () => sink };
}
