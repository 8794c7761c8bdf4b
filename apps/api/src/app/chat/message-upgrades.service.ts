import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AnyBulkWriteOperation, Model, Types } from 'mongoose';
import { messageSearchTerms } from './search/search-terms';
import { Message } from './schemas/message.schema';

/**
 * Phase 1 made `instagramMessageId` unique across all messages. Meta's message id is shared by
 * the sender's echo and the recipient's message when two connected accounts write to each other,
 * so uniqueness is now per conversation; an old database still holds the global index, which
 * would refuse the second copy.
 */
export const OBSOLETE_MESSAGE_INDEXES = ['instagramMessageId_1'] as const;

/** Messages given their search terms per round trip. */
export const SEARCH_TERMS_BATCH = 500;

/**
 * Between two batches: the backfill is background work on a live server, and a batch (500 documents
 * decoded, 500 updates cast) is tens of milliseconds of this process's time that requests wait behind.
 */
export const SEARCH_TERMS_PAUSE_MS = 50;

/**
 * Brings a database written by an earlier version up to the current message schema, at start and
 * idempotently (every instance may run it; each step finds nothing left to do the second time):
 * 1. drops the obsolete global unique index before any webhook can hit it (awaited at boot);
 * 2. gives messages stored before search existed their `searchTerms`, in batches, in the
 *    background and paced (SEARCH_TERMS_PAUSE_MS between batches) — search finds them once done;
 *    requests and new messages never wait for it.
 */
@Injectable()
export class MessageUpgradesService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(MessageUpgradesService.name);
  private stopping = false;
  private backfill: Promise<number> | undefined;

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const dropped = await this.dropObsoleteIndexes();
    if (dropped.length > 0)
      this.logger.warn(
        `Dropped the obsolete message index(es) ${dropped.join(', ')} (unique per conversation now)`,
      );
    this.backfill = this.backfillSearchTerms().catch((error: unknown) => {
      // Search misses the old messages until the next start; nothing else depends on it.
      this.logger.error(
        `Giving old messages their search terms failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 0;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.backfill;
  }

  /** Resolves when the background backfill started at boot has finished (for tests). */
  backfillDone(): Promise<number> {
    return this.backfill ?? Promise.resolve(0);
  }

  /** @returns the names of the indexes it dropped. */
  async dropObsoleteIndexes(): Promise<string[]> {
    let existing: string[];
    try {
      existing = (await this.messages.collection.indexes()).map(
        (index) => index.name ?? '',
      );
    } catch (error) {
      // A database without a messages collection yet has nothing to upgrade.
      if (isNamespaceNotFound(error)) return [];
      throw error;
    }
    const obsolete = OBSOLETE_MESSAGE_INDEXES.filter((name) =>
      existing.includes(name),
    );
    for (const name of obsolete) await this.messages.collection.dropIndex(name);
    return obsolete;
  }

  /** @returns how many messages it gave search terms to. */
  async backfillSearchTerms(): Promise<number> {
    let upgraded = 0;
    while (!this.stopping) {
      const batch = await this.messages
        .find({ searchTerms: { $exists: false } }, { text: 1 })
        .limit(SEARCH_TERMS_BATCH)
        .lean<{ _id: Types.ObjectId; text?: string }[]>()
        .exec();
      if (batch.length === 0) break;
      const updates: AnyBulkWriteOperation<Message>[] = batch.map(
        (message) => ({
          updateOne: {
            // Only if still missing: an edit that raced this batch wrote the fresher terms.
            filter: { _id: message._id, searchTerms: { $exists: false } },
            update: {
              $set: { searchTerms: messageSearchTerms(message.text ?? '') },
            },
          },
        }),
      );
      await this.messages.bulkWrite(updates, { ordered: false });
      upgraded += batch.length;
      if (batch.length === SEARCH_TERMS_BATCH)
        await pause(SEARCH_TERMS_PAUSE_MS);
    }
    if (upgraded > 0)
      this.logger.log(`Gave ${upgraded} older message(s) their search terms`);
    return upgraded;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function isNamespaceNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 26
  );
}
