/** Timing primitives of the embedded server's benchmark. */
import { performance } from 'node:perf_hooks';

export interface HistoryRow {
  label: string;
  n: number;
  wall: number[];
  cpu: number[];
}

/** Wall-clock and CPU time (this process, all threads) of each call, in ms. */
export async function timeEach(
  n: number,
  op: (i: number) => Promise<unknown>,
  into?: HistoryRow,
): Promise<HistoryRow> {
  const row = into ?? { label: '', n: 0, wall: [], cpu: [] };
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await op(i);
    row.wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    row.cpu.push((c.user + c.system) / 1000);
  }
  row.n = row.wall.length;
  return row;
}

export interface Row {
  name: string;
  value: string;
  target?: string;
  ok?: boolean;
}

export function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ];
}

export async function rate(
  n: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return n / ((performance.now() - t0) / 1000);
}
