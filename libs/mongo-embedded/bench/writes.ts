/** Write workloads of the embedded server's benchmark: concurrent durable inserts and raw syncs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Schema, Types } from 'mongoose';

export const CONCURRENT_WRITERS = 32;
const CONCURRENT_INSERTS = 1_500;

export const userSchema = new Schema(
  { email: { type: String, unique: true }, displayName: String },
  { timestamps: true },
);

const concurrentSchema = new Schema(
  { conversationId: Schema.Types.ObjectId, text: String, createdAt: Date },
  { versionKey: false },
);

/** Inserts/s of CONCURRENT_WRITERS writers, each awaiting its insert before the next, as API requests do. */
export async function concurrentInsertRate(
  uri: string,
  dbName: string,
): Promise<number> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false,
    maxPoolSize: CONCURRENT_WRITERS,
  });
  await conn.asPromise();
  try {
    const Message = conn.model('ConcurrentMessage', concurrentSchema);
    await Message.createCollection();
    const conversationId = new Types.ObjectId();
    const insert = (i: number) =>
      Message.create({
        conversationId,
        text: `concurrent ${i}`,
        createdAt: new Date(),
      });
    // Warm-up: open every pooled connection and let the JIT settle.
    await Promise.all(
      Array.from({ length: CONCURRENT_WRITERS * 4 }, (_, i) => insert(i)),
    );
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT_WRITERS }, async () => {
        while (next < CONCURRENT_INSERTS) await insert(next++);
      }),
    );
    return CONCURRENT_INSERTS / ((performance.now() - t0) / 1000);
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
}

/** fdatasyncs/s of one writer appending small records in `dir`: what the disk allows unshared. */
export function serialSyncRate(dir: string): number {
  const file = path.join(dir, 'sync-probe.bin');
  const fd = fs.openSync(file, 'w', 0o600);
  const record = Buffer.alloc(200, 1);
  const n = 300;
  const t0 = performance.now();
  try {
    for (let i = 0; i < n; i++) {
      fs.writeSync(fd, record, 0, record.length, i * record.length);
      fs.fdatasyncSync(fd);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return n / ((performance.now() - t0) / 1000);
}
