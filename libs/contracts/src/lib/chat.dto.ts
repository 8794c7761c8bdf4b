import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsISO8601,
  IsMongoId,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MessagePageQueryDto } from './pagination.dto';

export type ConversationKind = 'local' | 'instagram';
export type MessageSource = 'local' | 'instagram';
export type MessageStatus =
  | 'pending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed';

export const MESSAGE_TEXT_MAX_LENGTH = 4000;

export class CreateConversationDto {
  /** The other person's user id. */
  @IsMongoId({ message: 'participantId must be a user id' })
  participantId!: string;
}

export class SendMessageDto {
  @MinLength(1, { message: 'text must not be empty' })
  @MaxLength(MESSAGE_TEXT_MAX_LENGTH)
  // Last on purpose: class-validator runs the bottom decorator first and the API reports only the
  // first error, so a missing or non-string text must fail here before the length checks.
  @IsString()
  text!: string;
}

export class ParticipantDto {
  id!: string;
  displayName!: string;
}

export class InstagramContactDto {
  /** The contact's Instagram-scoped id (IGSID). */
  igsid!: string;
  username?: string;
  name?: string;
  profilePictureUrl?: string;
}

export class MessagePreviewDto {
  text!: string;
  senderUserId?: string | null;
  /** ISO 8601. */
  createdAt!: string;
}

export class ConversationDto {
  id!: string;
  kind!: ConversationKind;
  /** Local conversations: both people. Instagram conversations: the account owner. */
  participants!: ParticipantDto[];
  /** Instagram conversations only. */
  instagramContact?: InstagramContactDto;
  lastMessage?: MessagePreviewDto | null;
  /** ISO 8601; falls back to creation time for a conversation without messages. */
  lastMessageAt!: string;
  /** Messages the caller has not read. */
  unreadCount!: number;
  createdAt!: string;
  /**
   * ISO 8601; moves on every change the caller can see (new message, read state, contact profile).
   * After a reconnect, pass the largest value you hold as `updatedSince` to fetch only what changed.
   */
  updatedAt!: string;
}

export class AttachmentDto {
  type!: string;
  url?: string;
}

export class MessageDto {
  id!: string;
  conversationId!: string;
  source!: MessageSource;
  /** The InstantChat user who wrote it; null for a message from an Instagram contact. */
  senderUserId!: string | null;
  text!: string;
  attachments!: AttachmentDto[];
  status!: MessageStatus;
  /** Why a message failed, in words a person can act on. */
  error?: string | null;
  isFromInstagram!: boolean;
  /** ISO 8601. */
  createdAt!: string;
  /** ISO 8601 when the author unsent it (text and attachments are then empty); otherwise null. */
  deletedAt?: string | null;
}

export class ReadReceiptDto {
  conversationId!: string;
  userId!: string;
  /** ISO 8601: every message up to this instant is read. */
  readAt!: string;
}

export const CONVERSATION_LIST_DEFAULT_LIMIT = 100;
export const CONVERSATION_LIST_MAX_LIMIT = 100;

/** `GET /api/conversations`: newest activity first. */
export class ConversationListQueryDto {
  /**
   * ISO 8601. Only conversations changed at or after this instant: what a client that reconnects
   * asks for, passing the largest `updatedAt` it already holds.
   */
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'updatedSince must be an ISO 8601 date-time' },
  )
  updatedSince?: string;

  @IsOptional()
  // Not @Type(): that needs reflect-metadata, which the dashboard's bundle does not load.
  @Transform(({ value }) =>
    value === undefined || value === '' ? undefined : Number(value),
  )
  @Min(1)
  @Max(CONVERSATION_LIST_MAX_LIMIT)
  @IsInt() // last: checked first (see SendMessageDto.text)
  limit?: number;
}

/**
 * `GET /api/conversations/:id/messages`: newest first. `before` walks back through history;
 * `after` bounds the walk from below, so a reconnecting client fetches exactly what it missed:
 * `after=<id of the newest message it holds>`, then `before=<nextCursor>&after=<same id>` until
 * `nextCursor` is null.
 */
export class MessageHistoryQueryDto extends MessagePageQueryDto {
  /** Id of a message in this conversation: only messages newer than it are returned. */
  @IsOptional()
  @IsMongoId({ message: 'after must be a message id' })
  after?: string;
}

/** Socket `message:send` payload. */
export class SendMessageEventDto extends SendMessageDto {
  @IsMongoId({ message: 'conversationId must be a conversation id' })
  conversationId!: string;
}

/** Socket `typing` payload (client to server). */
export class TypingEventDto {
  @IsMongoId({ message: 'conversationId must be a conversation id' })
  conversationId!: string;

  @IsBoolean()
  isTyping!: boolean;
}
