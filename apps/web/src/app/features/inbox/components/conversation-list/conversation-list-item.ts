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
  /** Instagram conversations: the account the contact writes to (`@shop_two`). */
  account?: { id: string; label: string };
  /** Whether the row names its account: only when the list holds several. */
  showAccount: boolean;
}
