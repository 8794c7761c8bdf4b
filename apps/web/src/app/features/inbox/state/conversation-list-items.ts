import type { ConversationDto } from '@instantchat/contracts';
import type { ConversationListItem } from '../components/conversation-list/conversation-list-item';
import { conversationPreview, conversationTitle } from './conversation-names';

/** The list's rows: newest activity first, the open conversation shown as read. */
export function conversationListItems(
  conversations: ConversationDto[],
  activeId: string | null,
  myId: string | null,
): ConversationListItem[] {
  const accountIds = new Set(
    conversations.flatMap((c) =>
      c.instagramAccount ? [c.instagramAccount.id] : [],
    ),
  );
  return [...conversations]
    .sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt))
    .map((conversation) => {
      const title = conversationTitle(conversation, myId);
      const account = conversation.instagramAccount;
      return {
        id: conversation.id,
        kind: conversation.kind,
        title,
        initial: title.replace(/^@/, '').charAt(0).toUpperCase(),
        preview: conversationPreview(conversation, myId),
        lastMessageAt: conversation.lastMessageAt,
        // The open conversation is being read as messages arrive.
        unreadCount:
          conversation.id === activeId ? 0 : conversation.unreadCount,
        isActive: conversation.id === activeId,
        ...(account && {
          account: {
            id: account.id,
            label: account.username
              ? `@${account.username}`
              : 'an Instagram account',
          },
        }),
        showAccount: accountIds.size > 1,
      };
    });
}
