import { cpus, loadavg } from 'node:os';

/** One line of a bench's table; `ok` is set on the lines that carry a target. */
export interface Row {
  name: string;
  value: string;
  target?: string;
  ok?: boolean;
}

/** The row comparing the CPU per delivery of the API's process and its reference's (µs). */
export function cpuPerDeliveryRow(apiUs: number, referenceUs: number): Row {
  const us = (value: number) => Math.round(value).toLocaleString('en-US');
  return {
    name: 'CPU per delivery, every thread of the process (API / reference)',
    value: `${us(apiUs)} / ${us(referenceUs)} µs (${(apiUs / referenceUs).toFixed(1)}×)`,
  };
}

/** The nearest-rank percentile (q in 0..1) of the samples; NaN when there are none. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ];
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : '—';
}

export function perSecond(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function log(step: string): void {
  console.log(`[bench] ${step}…`);
}

/** The machine and its load, read before a bench starts: the table's heading. */
export function describeMachine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average before the run ${load}`;
}

/** Prints the table as Markdown (the README's format) and answers whether every target was met. */
export function printTable(
  title: string,
  machine: string,
  rows: readonly Row[],
): boolean {
  console.log(`\n${title} — ${machine}\n`);
  const cells = rows.map((row) => [
    row.name,
    row.value,
    row.target ?? '',
    row.ok === undefined ? '' : row.ok ? 'ok' : 'MISSED',
  ]);
  const header = ['measure', 'value', 'target', ''];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => c[i].length)),
  );
  const line = (c: string[]) =>
    `| ${c.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
  return rows.every((row) => row.ok !== false);
}
