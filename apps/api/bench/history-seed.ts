import { ObjectId } from 'mongodb';
import { messageSearchTerms } from '../src/app/chat/search/search-terms';
import { withApiDatabase } from './seed-database';

const BATCH = 2_000;

export interface HistoryToSeed {
  conversationId: string;
  senderUserId: string;
  messages: number;
}

/**
 * Writes long histories straight into the API's data directory while the API is stopped: sending
 * 110k messages through REST would take longer than the whole bench. Each document has exactly the
 * fields and types the API writes for a local message (see schemas/message.schema.ts), its search
 * terms included, one millisecond apart and ending now, so the API reads them as its own (without
 * them, the API's start would upgrade all 110k documents in the background while the history is
 * measured).
 */
export async function seedHistories(
  dataDir: string,
  histories: readonly HistoryToSeed[],
): Promise<void> {
  await withApiDatabase(dataDir, async (db) => {
    const messages = db.collection('messages');
    for (const history of histories) {
      const conversationId = new ObjectId(history.conversationId);
      const senderUserId = new ObjectId(history.senderUserId);
      const firstAt = Date.now() - history.messages;
      for (let start = 0; start < history.messages; start += BATCH) {
        const batch = [];
        for (
          let i = start;
          i < Math.min(start + BATCH, history.messages);
          i++
        ) {
          const at = new Date(firstAt + i);
          const text = `history message ${i}`;
          batch.push({
            _id: new ObjectId(),
            conversationId,
            source: 'local',
            senderUserId,
            text,
            searchTerms: messageSearchTerms(text),
            attachments: [],
            status: 'sent',
            error: null,
            reactions: [],
            deletedAt: null,
            editedAt: null,
            isFromInstagram: false,
            isToInstagram: false,
            createdAt: at,
            updatedAt: at,
            __v: 0,
          });
        }
        await messages.insertMany(batch, { ordered: false });
      }
    }
  });
}
