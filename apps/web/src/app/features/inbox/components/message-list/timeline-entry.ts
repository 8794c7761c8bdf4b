import type { MessageStatus } from '@instantchat/contracts';

/** One bubble in the chat window, ready to render. */
export interface TimelineEntry {
  /** The message id, or `pending:<clientId>` for one still on its way. */
  key: string;
  /** Set while the message is only on this device (pending or failed). */
  clientId: string | null;
  text: string;
  /** Unsent by its author: the text is a placeholder. */
  isDeleted: boolean;
  createdAt: string;
  isMine: boolean;
  senderName: string;
  status: MessageStatus;
  error: string | null;
  isFromInstagram: boolean;
  /** Attachments that can be opened (with a URL). */
  attachments: { type: string; url: string }[];
}
