import type { ConversationDto } from '@instantchat/contracts';

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
  // Attachment-only messages carry no text.
  const text = last.text.trim() || 'Attachment';
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
