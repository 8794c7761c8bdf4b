import type {
  ConversationDto,
  MessageDto,
  ParticipantDto,
} from '@instantchat/contracts';
import type { ChannelConversation } from './channels/channel.types';
import type {
  ConversationRecord,
  DisplayNames,
  MessageRecord,
} from './chat.records';

/** A participant whose account no longer exists still needs a name in the list. */
const UNKNOWN_USER_NAME = 'Unknown user';

/** The list shows one line of the last message; the full text is one request away. */
export const PREVIEW_MAX_LENGTH = 140;

export function previewText(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= PREVIEW_MAX_LENGTH
    ? oneLine
    : `${oneLine.slice(0, PREVIEW_MAX_LENGTH - 1)}…`;
}

/** What a conversation's channel adds to it (asked of its ReplyChannel). */
export interface ChannelView {
  /** Undefined when the conversation's channel has no reply window (local chat). */
  windowClosesAt?: Date | null;
  /** With a reply window: the server replies as a human agent (7 days). */
  windowHumanAgent?: boolean;
  /** External threads: the username of the account serving it, when known. */
  accountUsername?: string;
}

/** The conversation as one viewer sees it: the unread count is theirs. */
export function toConversationDto(
  conversation: ConversationRecord,
  viewerId: string,
  names: DisplayNames,
  {
    windowClosesAt,
    windowHumanAgent = false,
    accountUsername,
  }: ChannelView = {},
): ConversationDto {
  const participants: ParticipantDto[] = conversation.participantIds.map(
    (id) => {
      const userId = id.toHexString();
      return {
        id: userId,
        displayName: names.get(userId) ?? UNKNOWN_USER_NAME,
      };
    },
  );
  const { instagram, lastMessage } = conversation;
  return {
    id: conversation._id.toHexString(),
    kind: conversation.kind,
    participants,
    ...(instagram && {
      instagramContact: {
        igsid: instagram.contactIgsid,
        username: instagram.contactProfile?.username,
        name: instagram.contactProfile?.name,
        profilePictureUrl: instagram.contactProfile?.profilePictureUrl,
      },
      instagramAccount: {
        id: instagram.accountId,
        ...(accountUsername !== undefined && { username: accountUsername }),
      },
    }),
    lastMessage: lastMessage
      ? {
          text: lastMessage.text,
          senderUserId: lastMessage.senderUserId?.toHexString() ?? null,
          createdAt: lastMessage.createdAt.toISOString(),
          ...(lastMessage.deleted && { deleted: true }),
          ...(lastMessage.attachmentTypes?.length && {
            attachmentTypes: [...lastMessage.attachmentTypes],
          }),
        }
      : null,
    lastMessageAt: conversation.lastMessageAt.toISOString(),
    unreadCount: conversation.unreadCounts?.[viewerId] ?? 0,
    ...(windowClosesAt !== undefined && {
      windowClosesAt: windowClosesAt?.toISOString() ?? null,
      windowHumanAgent,
    }),
    lastReadAt: conversation.lastReadAt?.[viewerId]?.toISOString() ?? null,
    createdAt: conversation.createdAt.toISOString(),
    updatedAt: conversation.updatedAt.toISOString(),
  };
}

export function toMessageDto(message: MessageRecord): MessageDto {
  const deleted = message.deletedAt != null;
  return {
    id: message._id.toHexString(),
    conversationId: message.conversationId.toHexString(),
    source: message.source,
    senderUserId: message.senderUserId?.toHexString() ?? null,
    // An unsent message keeps its place in the history but not its content.
    text: deleted ? '' : message.text,
    attachments: deleted
      ? []
      : (message.attachments ?? []).map(({ type, url }) => ({ type, url })),
    status: message.status,
    error: message.error ?? null,
    ...(message.deliveryError && {
      deliveryError: {
        code: message.deliveryError.code,
        subcode: message.deliveryError.subcode,
        title: message.deliveryError.title,
        userMessage: message.deliveryError.userMessage,
        mayHaveBeenDelivered: message.deliveryError.mayHaveBeenDelivered,
        ...(message.deliveryError.reconnectRequired && {
          reconnectRequired: true,
        }),
      },
    }),
    isFromInstagram: message.isFromInstagram ?? false,
    createdAt: message.createdAt.toISOString(),
    deletedAt: message.deletedAt?.toISOString() ?? null,
    clientMessageId: message.clientMessageId ?? null,
    ...channelDetailsOf(message, deleted),
  };
}

/** What Instagram adds to a message; each key only when it has a value, so local messages stay lean. */
function channelDetailsOf(
  message: MessageRecord,
  deleted: boolean,
): Partial<MessageDto> {
  // A removed reaction stays stored (with its time, so a late older one cannot return) but is not shown.
  const reactions = (message.reactions ?? [])
    .filter((r) => r.reaction !== null)
    .map((r) => ({
      reaction: r.reaction as string,
      ...(r.instagramSenderId && { instagramSenderId: r.instagramSenderId }),
      ...(r.userId && { userId: r.userId.toHexString() }),
      reactedAt: r.reactedAt.toISOString(),
    }));
  return {
    ...(reactions.length > 0 && { reactions }),
    ...(message.editedAt && { editedAt: message.editedAt.toISOString() }),
    ...(message.editCount !== undefined && { editCount: message.editCount }),
    ...(message.replyTo && { replyTo: withoutEmpty(message.replyTo) }),
    ...(message.quickReplyPayload !== undefined &&
      !deleted && { quickReplyPayload: message.quickReplyPayload }),
    ...(message.isUnsupported && { unsupported: true }),
    ...(message.referral && { referral: withoutEmpty(message.referral) }),
    ...(message.systemEvent && {
      systemEvent: {
        ...withoutEmpty(message.systemEvent),
        kind: message.systemEvent.kind,
        ...(message.systemEvent.referral && {
          referral: withoutEmpty(message.systemEvent.referral),
        }),
      },
    }),
  };
}

/** Lean subdocuments carry unset keys as undefined or null; the API leaves them out. */
function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as T;
}

/** The conversation as the channel seam shows it to other modules. */
export function toChannelConversation(
  conversation: ConversationRecord,
): ChannelConversation {
  const { instagram } = conversation;
  return {
    id: conversation._id.toHexString(),
    kind: conversation.kind,
    participantIds: conversation.participantIds.map((id) => id.toHexString()),
    ...(instagram && {
      instagram: {
        connectionId: instagram.connectionId.toHexString(),
        accountId: instagram.accountId,
        contactIgsid: instagram.contactIgsid,
        ...(instagram.contactProfile && {
          contactProfile: instagram.contactProfile,
        }),
      },
    }),
    ...(conversation.lastInboundAt && {
      lastInboundAt: conversation.lastInboundAt,
    }),
  };
}
