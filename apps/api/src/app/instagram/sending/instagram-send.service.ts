import type { MessageDeliveryErrorDto } from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import type {
  ChannelConversation,
  DeliveryOutcome,
  OutgoingReply,
} from '../../chat/channels/channel.types';
import { AppConfigService } from '../../config/app-config.service';
import {
  MetaApiError,
  MetaPermissionError,
  MetaRateLimitedError,
  MetaRecipientUnavailableError,
  MetaTokenInvalidError,
  MetaTransientError,
  MetaWindowClosedError,
} from '../../meta/meta-api.errors';
import { describeFailure } from '../describe-failure';
import { InstagramConnectionsService } from '../instagram-connections.service';
import type { InstagramConnectionDocument } from '../schemas/instagram-connection.schema';
import { InstagramSendApi, type SenderAction } from './instagram-send-api';
import { replyWindowAt } from './messaging-window';
import { SendRateLimiter } from './send-rate-limiter';

export const MAY_HAVE_BEEN_DELIVERED =
  'Instagram did not confirm this message; it may have been delivered.';
export const RECONNECT_TO_REPLY =
  'Meta no longer accepts this account’s access; connect it again, then send the message again.';
export const RATE_LIMITED =
  'Instagram is limiting this account’s messages; this one was not delivered. Try again later.';
export const WINDOW_CLOSED =
  'Instagram’s messaging window with this contact has closed; they must write again first.';
const RECIPIENT_UNAVAILABLE =
  'This person cannot receive messages from the account right now.';
const PERMISSION_MISSING =
  'The account has not allowed InstantChat to send its messages; connect it again.';
const REFUSED = 'Instagram refused this message.';

/** Instagram's typing indicator stays on for a while by itself; one `typing_on` per this long. */
export const TYPING_THROTTLE_MS = 10_000;

/** One try's result: how the reply ended, or Meta throttled the account (try again later). */
export type SendAttempt =
  | { done: DeliveryOutcome }
  | { rateLimited: MetaRateLimitedError };

/**
 * One try of a reply at Meta's Send API, and the sender actions. Only what Meta documents as not
 * delivered is tried again (rate limits and throttling: InstagramReplyQueue does that, while the
 * message stays `pending`); a failure that leaves it unknown whether the contact got the message
 * (a timeout, a dropped connection, a 5xx without Meta's error body) is never repeated, so nobody
 * receives a reply twice: the message is marked failed with "may have been delivered", and
 * Instagram's echo turns it `sent` if it was. A token Meta refuses flips the connection to
 * `needs_reconnect`, which its owner hears about live.
 */
@Injectable()
export class InstagramSendService {
  private readonly logger = new Logger(InstagramSendService.name);
  private readonly typingSentAt = new Map<string, number>();
  /** Per conversation, the contact's last message already marked seen: reads in between ask nothing. */
  private readonly seenUpTo = new Map<string, number>();

  constructor(
    private readonly connections: InstagramConnectionsService,
    private readonly sendApi: InstagramSendApi,
    private readonly rateLimiter: SendRateLimiter,
    private readonly config: AppConfigService,
  ) {}

  /** Whether replies past the 24-hour window go out as a human agent (META_HUMAN_AGENT). */
  get humanAgentAllowed(): boolean {
    return this.config.meta.humanAgent;
  }

  /** `typing_on` in the contact's thread, at most once per TYPING_THROTTLE_MS per conversation. */
  agentTyping(conversation: ChannelConversation): void {
    const now = Date.now();
    const last = this.typingSentAt.get(conversation.id);
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return;
    this.typingSentAt.set(conversation.id, now);
    if (this.typingSentAt.size > 10_000) this.forgetOldTyping(now);
    void this.senderAction(conversation, 'typing_on');
  }

  /** `mark_seen`: the contact sees their messages were read. Best effort, once per new message. */
  agentRead(conversation: ChannelConversation): void {
    const lastInbound = conversation.lastInboundAt?.getTime();
    if (lastInbound === undefined) return;
    if (this.seenUpTo.get(conversation.id) === lastInbound) return;
    if (this.seenUpTo.size > 10_000) this.seenUpTo.clear();
    this.seenUpTo.set(conversation.id, lastInbound);
    void this.senderAction(conversation, 'mark_seen');
  }

  /** One try now: the outcome, or Meta's throttling (the reply is still not delivered). */
  async tryOnce(reply: OutgoingReply): Promise<SendAttempt> {
    const thread = reply.conversation.instagram;
    if (!thread) throw new Error('Not an Instagram conversation');
    const connection = await this.connections.findById(thread.connectionId);
    if (!isUsable(connection))
      return {
        done: failed(RECONNECT_TO_REPLY, {
          mayHaveBeenDelivered: false,
          reconnectRequired: true,
        }),
      };
    const window = replyWindowAt(
      reply.conversation.lastInboundAt,
      new Date(),
      this.humanAgentAllowed,
    );
    if (!window.open)
      return { done: failed(WINDOW_CLOSED, { mayHaveBeenDelivered: false }) };
    try {
      await this.rateLimiter.acquire(connection.instagramAccountId);
      const sent = await this.sendApi.sendText(
        connection.method,
        this.connections.credentialsOf(connection),
        {
          recipientId: thread.contactIgsid,
          text: reply.message.text,
          humanAgent: window.humanAgent,
        },
      );
      return { done: { status: 'sent', externalMessageId: sent.messageId } };
    } catch (error) {
      if (error instanceof MetaRateLimitedError) return { rateLimited: error };
      if (error instanceof MetaTokenInvalidError)
        await this.connections.markNeedsReconnect(
          connection._id,
          'token_invalid',
        );
      if (!(error instanceof MetaApiError)) throw error;
      this.logger.warn(
        `Reply ${reply.message.id} to Instagram failed: ${describeFailure(error)}`,
      );
      return { done: failureOf(error) };
    }
  }

  private async senderAction(
    conversation: ChannelConversation,
    action: SenderAction,
  ): Promise<void> {
    const thread = conversation.instagram;
    if (!thread) return;
    try {
      const connection = await this.connections.findById(thread.connectionId);
      // Sender actions carry no tag: outside the 24-hour window Meta refuses them.
      const window = replyWindowAt(
        conversation.lastInboundAt,
        new Date(),
        false,
      );
      if (!isUsable(connection) || !window.open) return;
      await this.rateLimiter.acquire(connection.instagramAccountId);
      await this.sendApi
        .senderAction(
          connection.method,
          this.connections.credentialsOf(connection),
          thread.contactIgsid,
          action,
        )
        .catch(async (error: unknown) => {
          if (error instanceof MetaTokenInvalidError)
            await this.connections.markNeedsReconnect(
              connection._id,
              'token_invalid',
            );
          throw error;
        });
    } catch (error) {
      this.logger.debug(
        `${action} in conversation ${conversation.id} not shown: ${describeFailure(error)}`,
      );
    }
  }

  private forgetOldTyping(now: number): void {
    for (const [id, at] of this.typingSentAt)
      if (now - at >= TYPING_THROTTLE_MS) this.typingSentAt.delete(id);
  }
}

function isUsable(
  connection: InstagramConnectionDocument | null,
): connection is InstagramConnectionDocument {
  return (
    connection !== null &&
    connection.state === 'connected' &&
    connection.accessToken !== undefined
  );
}

export function failed(
  error: string,
  deliveryError: MessageDeliveryErrorDto,
): DeliveryOutcome {
  return { status: 'failed', error, deliveryError };
}

export function detailsOf(
  error: MetaApiError,
  mayHaveBeenDelivered: boolean,
): MessageDeliveryErrorDto {
  return {
    ...(error.code !== undefined && { code: error.code }),
    ...(error.subcode !== undefined && { subcode: error.subcode }),
    ...(error.userTitle !== undefined && { title: error.userTitle }),
    ...(error.userMessage !== undefined && { userMessage: error.userMessage }),
    mayHaveBeenDelivered,
  };
}

/**
 * Meta's error in the sender's words. Only a failure without Meta's own answer is ambiguous:
 * an error body means Meta refused the message.
 */
function failureOf(error: MetaApiError): DeliveryOutcome {
  if (error instanceof MetaTransientError && error.code === undefined)
    return failed(MAY_HAVE_BEEN_DELIVERED, detailsOf(error, true));
  const details = detailsOf(error, false);
  if (error instanceof MetaTokenInvalidError)
    return failed(RECONNECT_TO_REPLY, { ...details, reconnectRequired: true });
  if (error instanceof MetaWindowClosedError)
    return failed(WINDOW_CLOSED, details);
  if (error instanceof MetaRecipientUnavailableError)
    return failed(error.userMessage ?? RECIPIENT_UNAVAILABLE, details);
  if (error instanceof MetaPermissionError)
    return failed(PERMISSION_MISSING, details);
  return failed(error.userMessage ?? REFUSED, details);
}
