import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import type { TimelineEntry } from '../components/message-list/timeline-entry';
import { senderName } from './conversation-names';
import type { PendingMessage } from './outbox.state';

/** A stored message as the chat window shows it. */
export function storedEntry(
  message: MessageDto,
  conversation: ConversationDto | null,
  myId: string | null,
): TimelineEntry {
  return {
    key: message.id,
    clientId: null,
    text: message.deletedAt ? 'This message was unsent' : message.text,
    attachments: message.deletedAt
      ? []
      : message.attachments.filter(
          (attachment): attachment is { type: string; url: string } =>
            !!attachment.url,
        ),
    isDeleted: !!message.deletedAt,
    createdAt: message.createdAt,
    isMine: message.senderUserId !== null && message.senderUserId === myId,
    senderName: senderName(message.senderUserId, conversation, myId),
    status: message.status,
    error: message.error ?? null,
    isFromInstagram: message.isFromInstagram,
  };
}

/** A message still on this device, below the stored ones. */
export function pendingEntry(item: PendingMessage): TimelineEntry {
  return {
    key: `pending:${item.clientMessageId}`,
    clientId: item.clientMessageId,
    text: item.text,
    isDeleted: false,
    createdAt: item.createdAt,
    isMine: true,
    senderName: 'You',
    status: item.status,
    error: item.error,
    isFromInstagram: false,
    attachments: [],
  };
}
