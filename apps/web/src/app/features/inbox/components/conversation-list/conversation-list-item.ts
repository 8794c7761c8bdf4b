import type { ConversationKind } from '@instantchat/contracts';

/** One row of the conversation list, ready to render. */
export interface ConversationListItem {
  id: string;
  kind: ConversationKind;
  title: string;
  initial: string;
  preview: string;
  lastMessageAt: string;
  unreadCount: number;
  isActive: boolean;
}
