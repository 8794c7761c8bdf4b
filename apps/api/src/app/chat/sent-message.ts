import type { MessageStatus } from '@instantchat/contracts';
import { Types } from 'mongoose';
import { ReplyOutbox } from './channels/reply-outbox.service';
import type { MessageRecord } from './chat.records';
import { newMessageDefaults } from './schemas/new-message-defaults';
import { messageSearchTerms } from './search/search-terms';

export interface SentMessage {
  conversationId: Types.ObjectId;
  senderUserId: Types.ObjectId;
  text: string;
  /** The reply channel's: `sent` when storing is delivering (local), `pending` for the outbox. */
  status: MessageStatus;
  clientMessageId?: string;
}

/**
 * A message an InstantChat user sends, as stored: the document Mongoose's `create` would write
 * (every schema default, both timestamps, `__v`), built directly so a send inserts it through the
 * driver without hydrating, validating and copying a Mongoose document. Its input was validated at
 * the DTO layer; chat-schemas.spec.ts holds it equal to what the schema makes of the same fields.
 */
export function sentMessageDocument(
  sent: SentMessage,
  now = new Date(),
): MessageRecord & { searchTerms: string[]; __v: number } {
  return {
    _id: new Types.ObjectId(),
    conversationId: sent.conversationId,
    source: 'local',
    senderUserId: sent.senderUserId,
    text: sent.text,
    attachments: [],
    status: sent.status,
    ...newMessageDefaults(),
    // A reply its channel still has to hand over enters the outbox (claims, retries, takeover).
    ...(sent.status === 'pending' && {
      delivery: ReplyOutbox.awaitingHandover(now),
    }),
    searchTerms: messageSearchTerms(sent.text),
    ...(sent.clientMessageId !== undefined && {
      clientMessageId: sent.clientMessageId,
    }),
    isFromInstagram: false,
    isToInstagram: false,
    createdAt: now,
    updatedAt: now,
    __v: 0,
  };
}
