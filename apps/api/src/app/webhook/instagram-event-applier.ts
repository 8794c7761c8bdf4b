import type {
  MessageReferralDto,
  WebhookIgnoredReason,
} from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import type {
  ChannelConversation,
  InboundThread,
  MessageChange,
} from '../chat/channels/channel.types';
import { ChannelInbox } from '../chat/channels/channel-inbox.service';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { InstagramConnectionsService } from '../instagram/instagram-connections.service';
import type { WebhookItem } from './instagram-webhook-items';
import { ContactProfiles } from './contact-profiles';
import { ParkedChange } from './schemas/parked-change.schema';

/** How one item ended; a thrown error means "try again later". */
export type ItemOutcome =
  | { status: 'processed'; ownerUserId: string }
  | { status: 'ignored'; reason: WebhookIgnoredReason; ownerUserId?: string };

type ChangeItem = Extract<
  WebhookItem,
  { kind: 'unsend' | 'reaction' | 'read' | 'edit' }
>;

/**
 * Applies one webhook item to Chat through its channel seam: routes it by the business account
 * to its connection and owner, opens the contact's conversation, and records the message or the
 * change. Every write is idempotent (unique Meta ids per conversation, per-person reactions, edit
 * counts), so an item applied twice or out of order ends in the same state; a change to a message
 * not stored yet is parked and applied when the message arrives.
 */
type ParkedRecord = ParkedChange & { _id: Types.ObjectId };

/** A message stored just now, whose parked changes are looked up with others of the same turn. */
interface ParkedLookup {
  conversationId: string;
  externalMessageId: string;
  resolve: (parked: ParkedRecord[]) => void;
  reject: (error: unknown) => void;
}

@Injectable()
export class InstagramEventApplier {
  private readonly logger = new Logger(InstagramEventApplier.name);
  private parkedLookups: ParkedLookup[] = [];

  constructor(
    private readonly connections: InstagramConnectionsService,
    private readonly inbox: ChannelInbox,
    private readonly contactProfiles: ContactProfiles,
    @InjectModel(ParkedChange.name)
    private readonly parked: Model<ParkedChange>,
  ) {}

  async apply(
    item: WebhookItem,
    eventId: Types.ObjectId,
  ): Promise<ItemOutcome> {
    if (item.kind === 'other') {
      return { status: 'ignored', reason: 'unsupported_kind' };
    }
    if (!item.accountId) {
      return { status: 'ignored', reason: 'incomplete_event' };
    }
    const connection = await this.connections.findForWebhook(item.accountId);
    if (!connection) return { status: 'ignored', reason: 'unknown_account' };
    const ownerUserId = connection.userId.toHexString();
    if (connection.state === 'disconnected') {
      return { status: 'ignored', reason: 'account_disconnected', ownerUserId };
    }
    if (!item.contactId || item.contactId === item.accountId) {
      return { status: 'ignored', reason: 'incomplete_event', ownerUserId };
    }
    const thread: InboundThread = {
      kind: 'instagram',
      participantIds: [ownerUserId],
      instagram: {
        connectionId: connection._id.toHexString(),
        accountId: item.accountId,
        contactIgsid: item.contactId,
      },
    };
    const conversation = await this.inbox.openThread(thread);

    if (
      item.kind === 'unsend' ||
      item.kind === 'reaction' ||
      item.kind === 'read' ||
      item.kind === 'edit'
    ) {
      if (!item.externalMessageId) {
        return { status: 'ignored', reason: 'incomplete_event', ownerUserId };
      }
      const applied = await this.applyChange(conversation.id, item);
      if (!applied) await this.park(conversation.id, item, eventId);
      return { status: 'processed', ownerUserId };
    }

    const recorded = await this.recordMessage(conversation, item);
    if (!recorded) {
      return { status: 'ignored', reason: 'incomplete_event', ownerUserId };
    }
    if (recorded.created) {
      await this.applyParked(conversation.id, recorded.externalMessageId);
    }
    await this.contactProfiles.refresh(conversation, thread, connection);
    return { status: 'processed', ownerUserId };
  }

  /** @returns false when the message it concerns is not stored yet. */
  private async applyChange(
    conversationId: string,
    item: ChangeItem,
  ): Promise<boolean> {
    const reference = {
      conversationId,
      externalMessageId: item.externalMessageId as string,
    };
    if (item.kind === 'read') {
      return (await this.inbox.markReadUpTo(reference)) !== null;
    }
    const change: MessageChange =
      item.kind === 'unsend'
        ? { kind: 'delete', at: item.at }
        : item.kind === 'edit'
          ? {
              kind: 'edit',
              text: item.text,
              at: item.at,
              editCount: item.editCount,
            }
          : {
              kind: 'reaction',
              reaction: item.reaction,
              externalSenderId: item.businessActed
                ? (item.accountId as string)
                : (item.contactId as string),
              at: item.at,
            };
    if ((await this.inbox.updateMessage(reference, change)) !== null)
      return true;
    // null means a missing message (parked) or a stale change (an older edit or reaction).
    if (!(await this.inbox.hasMessage(reference))) return false;
    // The message may have been stored between the update and the look: once more, where null
    // can only mean stale. (Calling it stale at once lost an unreact that raced its message.)
    await this.inbox.updateMessage(reference, change);
    return true;
  }

  /**
   * Keeps a change for a message not stored yet. The message may have arrived meanwhile (it was
   * stored between the first look and the parking), so look once more after parking: between the
   * two, one side always sees the other.
   */
  private async park(
    conversationId: string,
    item: ChangeItem,
    eventId: Types.ObjectId,
  ): Promise<void> {
    try {
      await this.parked.create({
        conversationId: new Types.ObjectId(conversationId),
        externalMessageId: item.externalMessageId,
        eventId,
        itemIndex: item.index,
        item: { ...item },
        parkedAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await this.applyParked(conversationId, item.externalMessageId as string);
  }

  /** Applies (and forgets) the changes parked for a message, once it is stored. */
  private async applyParked(
    conversationId: string,
    externalMessageId: string,
  ): Promise<void> {
    const waiting = await this.parkedFor(conversationId, externalMessageId);
    for (const parked of waiting) {
      const item = {
        ...parked.item,
        at: new Date(parked.item['at'] as string | Date),
      } as ChangeItem;
      if (await this.applyChange(conversationId, item)) {
        await this.parked.deleteOne({ _id: parked._id }).exec();
      }
    }
  }

  /**
   * The changes parked for a message, oldest first. The lookups of one event-loop turn (the
   * messages stored together) share one query.
   */
  private parkedFor(
    conversationId: string,
    externalMessageId: string,
  ): Promise<ParkedRecord[]> {
    return new Promise((resolve, reject) => {
      this.parkedLookups.push({
        conversationId,
        externalMessageId,
        resolve,
        reject,
      });
      if (this.parkedLookups.length === 1) {
        setImmediate(() => void this.lookUpParked());
      }
    });
  }

  private async lookUpParked(): Promise<void> {
    const lookups = this.parkedLookups;
    this.parkedLookups = [];
    try {
      // Point lookups on the (conversationId, externalMessageId) index; pairs sorted out below.
      const found = await this.parked
        .find({
          conversationId: {
            $in: [
              ...new Set(lookups.map((lookup) => lookup.conversationId)),
            ].map((id) => new Types.ObjectId(id)),
          },
          externalMessageId: {
            $in: [
              ...new Set(lookups.map((lookup) => lookup.externalMessageId)),
            ],
          },
        })
        .sort({ _id: 1 })
        .lean<ParkedRecord[]>()
        .exec();
      for (const lookup of lookups) {
        lookup.resolve(
          found.filter(
            (parked) =>
              parked.externalMessageId === lookup.externalMessageId &&
              parked.conversationId.toHexString() === lookup.conversationId,
          ),
        );
      }
    } catch (error) {
      for (const lookup of lookups) lookup.reject(error);
    }
  }

  /** @returns null when the item has no usable id. */
  private async recordMessage(
    conversation: ChannelConversation,
    item: Extract<
      WebhookItem,
      { kind: 'message' | 'echo' | 'postback' | 'referral' }
    >,
  ): Promise<{ created: boolean; externalMessageId: string } | null> {
    const base = {
      conversationId: conversation.id,
      externalSenderId: item.contactId as string,
      sentAt: item.at,
    };
    if (item.kind === 'message' || item.kind === 'echo') {
      if (!item.externalMessageId) return null;
      const recorded = await this.inbox.recordInbound({
        ...base,
        externalMessageId: item.externalMessageId,
        direction: item.kind === 'echo' ? 'outbound' : 'inbound',
        ...(item.kind === 'echo' && {
          externalSenderId: item.accountId as string,
        }),
        ...item.content,
      });
      return {
        created: recorded.created,
        externalMessageId: item.externalMessageId,
      };
    }
    // The kind checks above leave only these (TypeScript does not narrow a two-valued kind).
    return this.recordSystemLine(
      base,
      item as Extract<WebhookItem, { kind: 'postback' | 'referral' }>,
    );
  }

  private async recordSystemLine(
    base: { conversationId: string; externalSenderId: string; sentAt: Date },
    item: Extract<WebhookItem, { kind: 'postback' | 'referral' }>,
  ): Promise<{ created: boolean; externalMessageId: string }> {
    // Postbacks carry a mid from Graph v11.0 on; referrals never do. Their own time and content
    // make an id that a redelivery repeats and another event does not.
    const externalMessageId =
      item.externalMessageId ??
      [
        item.kind,
        item.contactId,
        item.at.getTime(),
        item.kind === 'postback'
          ? (item.payload ?? '')
          : (item.referral.ref ?? ''),
      ].join(':');
    const systemEvent =
      item.kind === 'postback'
        ? {
            kind: 'postback' as const,
            ...(item.title && { title: item.title }),
            ...(item.payload && { payload: item.payload }),
            ...(item.referral && { referral: item.referral }),
          }
        : { kind: 'referral' as const, referral: item.referral };
    const recorded = await this.inbox.recordInbound({
      ...base,
      externalMessageId,
      text:
        item.kind === 'postback'
          ? `Tapped “${item.title ?? item.payload ?? 'a button'}”`
          : describeReferral(item.referral),
      systemEvent,
    });
    return { created: recorded.created, externalMessageId };
  }

  /**
   * Fetches the contact's profile on first contact and once a day after. Runs after the message
   * is stored and swallows every failure: a profile is nice to have, the message is not optional.
   */
}

/** The system line of a referral. */
export function describeReferral(referral: MessageReferralDto): string {
  const how =
    referral.source === 'ADS'
      ? 'from an ad'
      : referral.source === 'SHORTLINK'
        ? 'through a link'
        : referral.source
          ? `through ${referral.source.toLowerCase()}`
          : 'through a referral';
  return `Started the conversation ${how}${referral.ref ? ` (ref: ${referral.ref})` : ''}`;
}
