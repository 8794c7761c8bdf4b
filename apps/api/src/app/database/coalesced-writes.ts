import type {
  AnyBulkWriteOperation,
  BulkWriteResult,
  MongoBulkWriteError,
} from 'mongodb';

/** Which of a bulk's counters say that a row was carried out (inserted, matched…). */
export type RowsDone = (
  result: BulkWriteResult | MongoBulkWriteError,
) => number;

/** Every row of an insert-only bulk that did not fail was inserted. */
export const INSERTED: RowsDone = (result) => result.insertedCount;

/** Every row of an update-only bulk that did not fail matched its document. */
export const MATCHED: RowsDone = (result) => result.matchedCount;

/**
 * The rows an unordered bulk write refused, by index, when its error accounts for every row: each
 * row either failed with its own write error or was done (counted by `done`). Anything else (no
 * per-row errors, a write-concern error, the connection lost between the driver's batches) leaves
 * every row in doubt: null.
 */
export function rowErrorsOf(
  error: unknown,
  rows: number,
  done: RowsDone,
): Map<number, unknown> | null {
  const bulkError = error as Partial<MongoBulkWriteError>;
  const writeErrors = bulkError.writeErrors;
  if (!writeErrors || bulkError.writeConcernError) return null;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  if (
    list.length === 0 ||
    list.length + done(error as MongoBulkWriteError) !== rows
  ) {
    return null;
  }
  return new Map(list.map((writeError) => [writeError.index, writeError]));
}

/** Sends one unordered bulk write: `(writes) => collection.bulkWrite(writes, { ordered: false })`. */
export type UnorderedBulkWrite = (
  writes: AnyBulkWriteOperation[],
) => Promise<unknown>;

interface PendingWrite {
  write: AnyBulkWriteOperation;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes asked for in the same event-loop turn go to the database as one unordered bulk write
 * instead of one command each: under load, concurrent requests share a command (and its round trip,
 * BSON framing and journal flush), while a lone write still goes out at once, in the event loop's
 * next check phase (setImmediate). Each caller is answered for its own row: once it is durable, or
 * with its own write error (a duplicate key fails only the row that had it); when the command as a
 * whole fails, every row of it fails.
 */
export class CoalescedWrites {
  private pending: PendingWrite[] = [];

  /**
   * @param bulkWrite sends the rows (unordered: each row stands alone).
   * @param done which counter of the bulk's result counts a row as done (INSERTED, MATCHED).
   * @param maxRows rows per command at most; more in one turn are split.
   */
  constructor(
    private readonly bulkWrite: UnorderedBulkWrite,
    private readonly done: RowsDone,
    private readonly maxRows = 256,
  ) {}

  write(write: AnyBulkWriteOperation): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const waiting = this.pending;
    this.pending = [];
    for (let start = 0; start < waiting.length; start += this.maxRows) {
      void this.writeBatch(waiting.slice(start, start + this.maxRows));
    }
  }

  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    let refused: Map<number, unknown> | null = null;
    try {
      await this.bulkWrite(batch.map((pending) => pending.write));
    } catch (error) {
      refused = rowErrorsOf(error, batch.length, this.done);
      if (!refused) {
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
    batch.forEach((pending, index) => {
      const refusal = refused?.get(index);
      if (refusal === undefined) pending.resolve();
      else pending.reject(refusal);
    });
  }
}
