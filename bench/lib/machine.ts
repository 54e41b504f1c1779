import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly redis: string;
  readonly platform: string;
  /** 1, 5 and 15-minute load averages when the run ended: how busy the machine was. */
  readonly loadAverage: readonly number[];
}

/** What the figures were measured on; BENCHMARKS.md quotes it. */
export function describeMachine(): Machine {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion(),
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

function cpuModel(): string {
  try {
    return (
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}

function redisVersion(): string {
  try {
    return (
      /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}
