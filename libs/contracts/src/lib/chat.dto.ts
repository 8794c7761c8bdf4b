import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsMongoId,
  IsOptional,
  IsString,
  IsUUID,
  isISO8601,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  type ValidationOptions,
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

  /**
   * A UUID the client generates once per message and sends again on every retry of it. A send
   * whose id the same sender already used in this conversation returns the stored message instead
   * of storing a second one; reusing it in another conversation is refused (409).
   */
  @IsOptional()
  @IsUUID('all', { message: 'clientMessageId must be a UUID' })
  clientMessageId?: string;
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
  /**
   * ISO 8601: the caller has read everything up to this instant; null if never. The first message
   * from someone else after it is where an opened conversation starts (the "New messages" divider).
   */
  lastReadAt?: string | null;
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
  /** The `clientMessageId` the author sent it with; null when none was given. */
  clientMessageId?: string | null;
}

export class ReadReceiptDto {
  conversationId!: string;
  userId!: string;
  /** ISO 8601: every message up to this instant is read. */
  readAt!: string;
}

/**
 * Strict ISO 8601 that names an instant `new Date()` can read. The format check alone also lets
 * through week and ordinal dates (`2026-W05`, `2026-329`) and hour-only offsets, which become an
 * Invalid Date and must be refused as bad input rather than reach the database.
 */
function IsReadableIsoDateTime(
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isReadableIsoDateTime',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          isISO8601(value, { strict: true }) &&
          !Number.isNaN(Date.parse(value)),
      },
    },
    validationOptions,
  );
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
  @IsReadableIsoDateTime({
    message: 'updatedSince must be an ISO 8601 date-time',
  })
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

  /**
   * Only conversations with someone whose display name (or, for Instagram, the contact's username
   * or name) contains every word of this text, any letter case, diacritics ignored.
   */
  @IsOptional()
  @MaxLength(200)
  @IsString({ message: 'search must be text' })
  search?: string;
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
