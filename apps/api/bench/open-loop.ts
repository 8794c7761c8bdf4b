import { performance } from 'node:perf_hooks';
import { sleep } from './built-api';

export interface OpenLoopOptions {
  ratePerSecond: number;
  seconds: number;
  /** How long after the last scheduled request answers and receipts may still arrive. */
  graceMs: number;
  /** Sends request `seq`; a rejection counts it as failed. */
  send(seq: number): Promise<unknown>;
}

export interface OpenLoopResult {
  offered: number;
  /** Requests answered with success before the grace period ended. */
  answered: number;
  failed: number;
  /** Why the first failed request failed (the failures of one run are usually alike). */
  firstFailure?: string;
  /** From each request's scheduled instant to its receipt, in milliseconds. */
  latenciesMs: number[];
}

/**
 * An open-loop load: requests leave on a fixed schedule whether or not earlier ones have finished,
 * and latency counts from the scheduled instant, so a server that falls behind shows its queue
 * instead of slowing the load down. The caller reports receipts through `received(seq)`, which it
 * wires (e.g. to socket events) before the loop starts.
 */
export class OpenLoop {
  private readonly scheduledAt = new Map<number, number>();
  private readonly latencies: number[] = [];

  /** Call when the receipt of request `seq` arrives; unknown or repeated numbers are ignored. */
  readonly received = (seq: number): void => {
    const at = this.scheduledAt.get(seq);
    if (at === undefined) return;
    this.scheduledAt.delete(seq);
    this.latencies.push(performance.now() - at);
  };

  async run(options: OpenLoopOptions): Promise<OpenLoopResult> {
    const total = Math.round(options.ratePerSecond * options.seconds);
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    let answered = 0;
    let failed = 0;
    let firstFailure: string | undefined;
    for (let seq = 0; seq < total; ) {
      // Request k is due at k / rate: every k up to now * rate has left (k = 0 at once), not one
      // interval late (its latency still counts from that instant).
      const due = Math.min(
        total,
        Math.floor(
          ((performance.now() - start) / 1000) * options.ratePerSecond,
        ) + 1,
      );
      for (; seq < due; seq++) {
        this.scheduledAt.set(seq, start + (seq * 1000) / options.ratePerSecond);
        inFlight.push(
          options.send(seq).then(
            () => {
              answered++;
            },
            (error: unknown) => {
              failed++;
              firstFailure ??=
                error instanceof Error ? error.message : String(error);
            },
          ),
        );
      }
      await sleep(1);
    }
    // Bounded: a server that falls far behind is reported as losing requests, not waited for.
    const graceEnds = performance.now() + options.graceMs;
    await Promise.race([
      Promise.all(inFlight),
      sleep(graceEnds - performance.now()),
    ]);
    while (
      this.latencies.length < total - failed &&
      performance.now() < graceEnds
    ) {
      await sleep(20);
    }
    return {
      offered: total,
      answered,
      failed,
      ...(firstFailure !== undefined && { firstFailure }),
      latenciesMs: [...this.latencies],
    };
  }
}

/** `offered / answered / delivered / failed`, with the first failure's reason when there is one. */
export function describeOutcome(result: OpenLoopResult): string {
  const counts = `${result.offered} / ${result.answered} / ${result.latenciesMs.length} / ${result.failed}`;
  return result.firstFailure
    ? `${counts} (first: ${result.firstFailure.slice(0, 80)})`
    : counts;
}
