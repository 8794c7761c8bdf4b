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
import { StringUnion } from './string-union';
import { DateTime } from './date-time';

export const CONVERSATION_KINDS = ['local', 'instagram'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];
export const MESSAGE_SOURCES = ['local', 'instagram'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];
export const MESSAGE_STATUSES = [
  'pending',
  'sent',
  'delivered',
  'read',
  'failed',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

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

/** The connected Instagram account an Instagram conversation's messages reach. */
export class ConversationInstagramAccountDto {
  /** Instagram's id of the professional account, as `GET /api/instagram/status` lists it. */
  id!: string;
  /** Its username; absent when the connection is gone from the server. */
  username?: string;
}

export class MessagePreviewDto {
  /** Empty for an attachment-only or a deleted message. */
  text!: string;
  senderUserId?: string | null;
  /** ISO 8601. */
  @DateTime()
  createdAt!: string;
  /** Present (true) once the author took the message back (an Instagram unsend). */
  deleted?: boolean;
  /** Meta's types of its attachments (`image`, `ig_story`…), when it has any. */
  attachmentTypes?: string[];
}

export class ConversationDto {
  id!: string;
  @StringUnion(CONVERSATION_KINDS, 'ConversationKind')
  kind!: ConversationKind;
  /** Local conversations: both people. Instagram conversations: the account owner. */
  participants!: ParticipantDto[];
  /** Instagram conversations only. */
  instagramContact?: InstagramContactDto;
  /** Instagram conversations only: the caller's account the contact writes to. */
  instagramAccount?: ConversationInstagramAccountDto;
  lastMessage?: MessagePreviewDto | null;
  /** ISO 8601; falls back to creation time for a conversation without messages. */
  @DateTime()
  lastMessageAt!: string;
  /** Messages the caller has not read. */
  unreadCount!: number;
  /**
   * Instagram conversations only, ISO 8601: until when a reply can still be sent (Meta's messaging
   * window: 24 hours after the contact's last message, 7 days where the server replies as a human
   * agent). In the past when it has closed; null when the contact has never written.
   */
  @DateTime()
  windowClosesAt?: string | null;
  /**
   * Instagram conversations only: true where this server replies as a human agent
   * (META_HUMAN_AGENT), so `windowClosesAt` is 7 days after the contact's last message and replies
   * after the first 24 hours carry Meta's HUMAN_AGENT tag; false for the standard 24-hour window.
   */
  windowHumanAgent?: boolean;
  /**
   * ISO 8601: the caller has read everything up to this instant; null if never. The first message
   * from someone else after it is where an opened conversation starts (the "New messages" divider).
   */
  @DateTime()
  lastReadAt?: string | null;
  @DateTime()
  createdAt!: string;
  /**
   * ISO 8601; moves on every change the caller can see (new message, read state, contact profile).
   * After a reconnect, pass the largest value you hold as `updatedSince` to fetch only what changed.
   */
  @DateTime()
  updatedAt!: string;
}

export class AttachmentDto {
  type!: string;
  url?: string;
}

/** Why a reply to Instagram failed, as Meta said it (or as far as InstantChat can tell). */
export class MessageDeliveryErrorDto {
  /** Meta's error code and subcode (e.g. 10 / 2534022), when Meta answered with an error. */
  code?: number;
  subcode?: number;
  /** Meta's own words for the person (`error_user_title` / `error_user_msg`), when it gave them. */
  title?: string;
  userMessage?: string;
  /**
   * True when Meta did not answer (a timeout, a dropped connection, a bare 5xx): the message may
   * have reached the contact, so it is not sent again; Instagram's echo turns it `sent` if it did.
   */
  mayHaveBeenDelivered!: boolean;
  /**
   * True when Meta no longer accepts the account's access: no reply goes out from it until it is
   * connected again (`GET /api/instagram/status`, the dashboard's /instagram page).
   */
  reconnectRequired?: boolean;
}

/** What an Instagram message answers: one of the business's stories, or an earlier message. */
export class MessageReplyToDto {
  /** Meta's id of the message replied to (`reply_to.mid`). */
  externalMessageId?: string;
  /** The story replied to (`reply_to.story`). */
  storyId?: string;
  /** Meta's CDN URL of the story; it expires, so the dashboard must cope with it being gone. */
  storyUrl?: string;
}

/** How a contact reached the business: an ad, a link (`ig.me`), a post; Meta's `referral`. */
export class MessageReferralDto {
  /** e.g. `ADS`, `SHORTLINK`. */
  source?: string;
  /** e.g. `OPEN_THREAD`. */
  type?: string;
  /** The `ref` parameter of the link or ad. */
  ref?: string;
  adId?: string;
}

export const MESSAGE_SYSTEM_EVENT_KINDS = ['postback', 'referral'] as const;
export type MessageSystemEventKind =
  (typeof MESSAGE_SYSTEM_EVENT_KINDS)[number];

/**
 * A line in the conversation that is not a message someone typed: the contact tapped a button
 * (`postback`) or arrived through an ad or a link (`referral`). Its `text` is the line to show.
 */
export class MessageSystemEventDto {
  @StringUnion(MESSAGE_SYSTEM_EVENT_KINDS, 'MessageSystemEventKind')
  kind!: MessageSystemEventKind;
  /** Postback: the button's title. */
  title?: string;
  /** Postback: the payload the business attached to the button. */
  payload?: string;
  referral?: MessageReferralDto;
}

/** One person's reaction to a message. */
export class MessageReactionDto {
  /** The emoji (or Meta's reaction name when no emoji came with it). */
  reaction!: string;
  /** The Instagram contact (IGSID) or business account that reacted. */
  instagramSenderId?: string;
  userId?: string;
  /** ISO 8601. */
  @DateTime()
  reactedAt!: string;
}

export class MessageDto {
  id!: string;
  conversationId!: string;
  @StringUnion(MESSAGE_SOURCES, 'MessageSource')
  source!: MessageSource;
  /** The InstantChat user who wrote it; null for a message from an Instagram contact. */
  senderUserId!: string | null;
  text!: string;
  attachments!: AttachmentDto[];
  @StringUnion(MESSAGE_STATUSES, 'MessageStatus')
  status!: MessageStatus;
  /** Why a message failed, in words a person can act on. */
  error?: string | null;
  /** Failed replies to Instagram: Meta's code, subcode and words, and whether it may have arrived. */
  deliveryError?: MessageDeliveryErrorDto | null;
  isFromInstagram!: boolean;
  /** ISO 8601. */
  @DateTime()
  createdAt!: string;
  /** ISO 8601 when the author unsent it (text and attachments are then empty); otherwise null. */
  @DateTime()
  deletedAt?: string | null;
  /** The `clientMessageId` the author sent it with; null when none was given. */
  clientMessageId?: string | null;
  /** Reactions, one per person; absent when there are none. */
  reactions?: MessageReactionDto[];
  /** ISO 8601 of the latest edit; absent for a message never edited. */
  @DateTime()
  editedAt?: string;
  /** How many times the author edited it (Instagram's `num_edit`). */
  editCount?: number;
  replyTo?: MessageReplyToDto;
  /** Instagram quick reply: the payload of the option the contact picked. */
  quickReplyPayload?: string;
  /** True when Instagram could not hand the content over (e.g. a GIF sticker). */
  unsupported?: boolean;
  /** The ad or link a message came through (Instagram's `message.referral`). */
  referral?: MessageReferralDto;
  /** Set on system lines (postbacks, referrals); `text` then describes the event. */
  systemEvent?: MessageSystemEventDto;
}

export class ReadReceiptDto {
  conversationId!: string;
  userId!: string;
  /** ISO 8601: every message up to this instant is read. */
  @DateTime()
  readAt!: string;
}

/**
 * A time of day with its offset from UTC (`Z`, `+05:30`, `-0800`) closing an ISO 8601 date-time.
 * Without one, a value names no instant: a date alone or a local time would be read in the
 * server's own time zone, so two servers (or a server moved) would answer differently.
 */
const TIME_WITH_OFFSET = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Strict ISO 8601 that names an instant `new Date()` can read. The format check alone also lets
 * through week and ordinal dates (`2026-W05`, `2026-329`) and hour-only offsets, which become an
 * Invalid Date and must be refused as bad input rather than reach the database, and dates or
 * times with no offset (TIME_WITH_OFFSET).
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
          TIME_WITH_OFFSET.test(value) &&
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
  @DateTime()
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
