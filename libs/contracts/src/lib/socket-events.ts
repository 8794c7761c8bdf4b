import type {
  ConversationDto,
  MessageDto,
  ReadReceiptDto,
  SendMessageEventDto,
  TypingEventDto,
} from './chat.dto';
import type { InstagramAccountDto } from './instagram.dto';
import type {
  WatchWebhookEventsDto,
  WebhookEventDto,
} from './webhook-events.dto';

/** Socket.io is served on the API's origin under this path. */
export const SOCKET_PATH = '/socket.io';

export const ServerEvent = {
  MessageNew: 'message:new',
  MessageUpdated: 'message:updated',
  MessageRemoved: 'message:removed',
  ConversationUpdated: 'conversation:updated',
  MessageRead: 'message:read',
  Typing: 'typing',
  InstagramStatus: 'instagram:status',
  /**
   * A webhook delivery of the owner's accounts was worked on: their view of it, as the events list
   * shows it. Only to sockets that asked (ClientEvent.WatchInstagramEvents).
   */
  InstagramEvent: 'instagram:event',
} as const;

export const ClientEvent = {
  Typing: 'typing',
  Send: 'message:send',
  /** Start (or stop) hearing `instagram:event` on this socket; until a reconnect, which forgets it. */
  WatchInstagramEvents: 'instagram:events:watch',
} as const;

export interface TypingPayload {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}

/**
 * A message row no longer exists: it was a duplicate of another (the echo of our own Instagram
 * reply, stored before the Send API's answer named it and then merged into the reply). Clients
 * drop it; the message it duplicated arrives as `message:updated`.
 */
export interface MessageRemovedPayload {
  conversationId: string;
  messageId: string;
}

/** Sent to the owner's room whenever one of their Instagram connections changes. */
export interface InstagramStatusPayload {
  /** Whether the owner has any account `connected` after the change. */
  connected: boolean;
  instagramUsername?: string;
  /** Why the account changed state (e.g. `token_invalid` when it needs reconnecting). */
  reason?: string;
  /** The account that changed, as `GET /api/instagram/status` lists it. */
  account?: InstagramAccountDto;
}

/** Why the server refuses a handshake (the client sees it as `connect_error`'s message). */
export const SOCKET_UNAUTHORIZED = 'Unauthorized';

/** Acknowledgement for client events that expect one. */
export type SocketAck<T> =
  | { ok: true; data: T }
  | { ok: false; error: { statusCode: number; message: string } };

export interface ServerToClientEvents {
  [ServerEvent.MessageNew]: (message: MessageDto) => void;
  [ServerEvent.MessageUpdated]: (message: MessageDto) => void;
  [ServerEvent.MessageRemoved]: (payload: MessageRemovedPayload) => void;
  [ServerEvent.ConversationUpdated]: (conversation: ConversationDto) => void;
  [ServerEvent.MessageRead]: (receipt: ReadReceiptDto) => void;
  [ServerEvent.Typing]: (payload: TypingPayload) => void;
  [ServerEvent.InstagramStatus]: (payload: InstagramStatusPayload) => void;
  [ServerEvent.InstagramEvent]: (event: WebhookEventDto) => void;
}

export interface ClientToServerEvents {
  /** Relayed to the conversation's other participants; ignored for a conversation not the sender's. */
  [ClientEvent.Typing]: (payload: TypingEventDto) => void;
  /** Same rules and result as `POST /api/conversations/:id/messages`; errors come back in the ack. */
  [ClientEvent.Send]: (
    payload: SendMessageEventDto,
    ack: (result: SocketAck<MessageDto>) => void,
  ) => void;
  /** Acknowledged with the state now in force; a bad payload gets a 400 in the ack. */
  [ClientEvent.WatchInstagramEvents]: (
    payload: WatchWebhookEventsDto,
    ack: (result: SocketAck<WatchWebhookEventsDto>) => void,
  ) => void;
}
