interface PendingRead<T> {
  key: string;
  resolve: (found: T | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads of single documents asked for in the same event-loop turn go to the database as one query
 * for all their keys (`{ _id: { $in: [...] } }` or the like) instead of one command each: under
 * load, concurrent requests share a command and its round trip, while a lone read still goes out at
 * once, in the event loop's next check phase (setImmediate). Each caller gets its own document
 * (undefined when there is none); when the query fails, every read of it fails.
 */
export class CoalescedReads<T> {
  private pending: PendingRead<T>[] = [];

  /**
   * @param readMany reads the documents of these (distinct) keys; where several answer for one
   *   key, the first one is that key's (sort the query to choose).
   * @param keyOf the key a document answers for.
   * @param maxKeys keys per query at most; more in one turn are split.
   */
  constructor(
    private readonly readMany: (keys: string[]) => Promise<T[]>,
    private readonly keyOf: (document: T) => string,
    private readonly maxKeys = 256,
  ) {}

  read(key: string): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const waiting = this.pending;
    this.pending = [];
    const keys = [...new Set(waiting.map((read) => read.key))];
    for (let start = 0; start < keys.length; start += this.maxKeys) {
      const batch = new Set(keys.slice(start, start + this.maxKeys));
      void this.readBatch(waiting.filter((read) => batch.has(read.key)));
    }
  }

  private async readBatch(reads: PendingRead<T>[]): Promise<void> {
    let found: Map<string, T>;
    try {
      const documents = await this.readMany([
        ...new Set(reads.map((read) => read.key)),
      ]);
      found = new Map();
      for (const document of documents) {
        const key = this.keyOf(document);
        if (!found.has(key)) found.set(key, document);
      }
    } catch (error) {
      for (const read of reads) read.reject(error);
      return;
    }
    for (const read of reads) read.resolve(found.get(read.key));
  }
}
