/**
 * The history workload of the embedded server's benchmark: conversations of equal length seeded
 * interleaved, and the 50-message page before a cursor read through the index and, as the
 * same-run reference, through a full scan of unindexed copies of the same fields.
 */
import { performance } from 'node:perf_hooks';
import { type Connection, type Model, Schema, Types } from 'mongoose';

export const MESSAGES_PER_CONVERSATION = 500;
const PAGE = 50;
const SEED_BATCH = 2_000;
const T0 = Date.UTC(2026, 0, 1);

const messageSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    senderUserId: Schema.Types.ObjectId,
    text: String,
    status: String,
    createdAt: Date,
    // Unindexed copies of the two key fields: the same page query over them is a full scan.
    convKey: String,
    sentAt: Date,
  },
  { versionKey: false },
);
messageSchema.index({ conversationId: 1, createdAt: 1 });

export interface HistoryCollection {
  Message: Model<Record<string, unknown>>;
  conversations: Types.ObjectId[];
  /** Documents/s while seeding. */
  seedRate: number;
}

/** `total` messages over conversations of MESSAGES_PER_CONVERSATION each, in `collection`. */
export async function seedHistory(
  conn: Connection,
  collection: string,
  total: number,
): Promise<HistoryCollection> {
  const Message = conn.model<Record<string, unknown>>(
    `Message_${collection}`,
    messageSchema,
    collection,
  );
  await Message.createIndexes();
  const conversations = Array.from(
    { length: total / MESSAGES_PER_CONVERSATION },
    () => new Types.ObjectId(),
  );
  const sender = new Types.ObjectId();
  let batch: Record<string, unknown>[] = [];
  const started = performance.now();
  // Messages arrive interleaved across conversations, as they do in a real inbox.
  for (let t = 0; t < MESSAGES_PER_CONVERSATION; t++) {
    for (let c = 0; c < conversations.length; c++) {
      const at = new Date(T0 + t * 60_000 + c);
      batch.push({
        conversationId: conversations[c],
        senderUserId: sender,
        text: `message ${t} in conversation ${c}`,
        status: 'sent',
        createdAt: at,
        convKey: conversations[c].toHexString(),
        sentAt: at,
      });
      if (batch.length === SEED_BATCH) {
        await Message.insertMany(batch, { lean: true, ordered: true });
        batch = [];
      }
    }
  }
  if (batch.length) await Message.insertMany(batch, { lean: true });
  const seconds = (performance.now() - started) / 1000;
  return { Message, conversations, seedRate: total / seconds };
}

/** A random page: a conversation and a cursor somewhere past its first page. */
function pick(conversations: Types.ObjectId[], i: number) {
  const conv = conversations[(i * 7) % conversations.length];
  const t = PAGE + 10 + ((i * 37) % (MESSAGES_PER_CONVERSATION - PAGE - 10));
  return { conv, cursor: new Date(T0 + t * 60_000) };
}

export async function indexedPage(target: HistoryCollection, i: number) {
  const { conv, cursor } = pick(target.conversations, i);
  const docs = await target.Message.find({
    conversationId: conv,
    createdAt: { $lt: cursor },
  })
    .sort({ createdAt: -1 })
    .limit(PAGE)
    .lean();
  if (docs.length !== PAGE)
    throw new Error(
      `history page returned ${docs.length} messages, expected ${PAGE}`,
    );
  return docs;
}

export async function scanPage(target: HistoryCollection, i: number) {
  const { conv, cursor } = pick(target.conversations, i);
  const docs = await target.Message.find({
    convKey: conv.toHexString(),
    sentAt: { $lt: cursor },
  })
    .sort({ sentAt: -1 })
    .limit(PAGE)
    .lean();
  if (docs.length !== PAGE)
    throw new Error(
      `full-scan page returned ${docs.length} messages, expected ${PAGE}`,
    );
  return docs;
}

/** Correctness of what is measured: newest first, strictly before the cursor, one conversation. */
export async function checkPages(target: HistoryCollection): Promise<void> {
  const { conv, cursor } = pick(target.conversations, 3);
  const docs = await indexedPage(target, 3);
  const ok = docs.every(
    (d, k) =>
      String(d['conversationId']) === String(conv) &&
      (d['createdAt'] as Date) < cursor &&
      (k === 0 ||
        (docs[k - 1]['createdAt'] as Date) > (d['createdAt'] as Date)),
  );
  if (!ok)
    throw new Error(
      'history page is not the newest 50 messages before the cursor',
    );
  const viaScan = await scanPage(target, 3);
  if (
    viaScan.map((d) => String(d._id)).join() !==
    docs.map((d) => String(d._id)).join()
  ) {
    throw new Error('indexed and full-scan pages differ');
  }
}

/** One live insert into a seeded collection (index maintenance at its size). */
export function liveInsert(target: HistoryCollection, i: number) {
  return target.Message.create({
    conversationId: target.conversations[i % target.conversations.length],
    text: `live ${i}`,
    status: 'sent',
    createdAt: new Date(),
    convKey: 'live',
    sentAt: new Date(),
  });
}
