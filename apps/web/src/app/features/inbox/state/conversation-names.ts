import type { ConversationDto } from '@instantchat/contracts';
import {
  attachmentKind,
  visibleAttachments,
} from '../components/message-bubble/attachment-kind';
import { attachmentSummary } from '../components/message-bubble/message-attachment';

/** What a conversation is called for the person looking at it. */
export function conversationTitle(
  conversation: ConversationDto,
  myId: string | null,
): string {
  if (conversation.kind === 'instagram') {
    const contact = conversation.instagramContact;
    return (
      contact?.name ||
      (contact?.username ? `@${contact.username}` : 'Instagram user')
    );
  }
  const others = conversation.participants.filter(
    (participant) => participant.id !== myId,
  );
  return (
    others.map((participant) => participant.displayName).join(', ') ||
    'Just you'
  );
}

/** The list's one-line summary of the latest message. */
export function conversationPreview(
  conversation: ConversationDto,
  myId: string | null,
): string {
  const last = conversation.lastMessage;
  if (!last) {
    return 'No messages yet';
  }
  if (last.deleted) {
    return 'Message deleted';
  }
  // Attachment-only messages carry no text: say what came.
  const text = last.text.trim() || attachmentsSummary(last.attachmentTypes);
  return last.senderUserId && last.senderUserId === myId
    ? `You: ${text}`
    : text;
}

/** Who wrote a message; `null` is the Instagram contact, who has no InstantChat account. */
export function senderName(
  userId: string | null,
  conversation: ConversationDto | null,
  myId: string | null,
): string {
  if (userId !== null && userId === myId) {
    return 'You';
  }
  if (!conversation) {
    return 'Someone';
  }
  if (userId === null) {
    return conversationTitle(conversation, myId);
  }
  return (
    conversation.participants.find((participant) => participant.id === userId)
      ?.displayName ?? 'Someone'
  );
}

/** "Photo", "Shared a story", "3 attachments"; "Attachment" when the server named none. */
function attachmentsSummary(types: readonly string[] = []): string {
  const shown = visibleAttachments(types.map((type) => ({ type })));
  if (shown.length > 1) return `${shown.length} attachments`;
  return shown.length === 1
    ? attachmentSummary(attachmentKind(shown[0].type))
    : 'Attachment';
}
