import type { MessageDeliveryErrorDto } from '@instantchat/contracts';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ChannelInbox } from '../../chat/channels/channel-inbox.service';
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

/** How rate-limited sends are tried again; delays follow Meta's estimate, capped. */
export interface SendRetryPolicy {
  /** Tries in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_SEND_RETRY: SendRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
};

/**
 * A reply still `pending` this long after it was stored has no try left in any process (the
 * retries of a throttled send end well before): the process that held it stopped mid-send.
 */
export const ORPHANED_REPLY_AGE_MS = 30 * 60_000;
const ORPHAN_SWEEP_INTERVAL_MS = 10 * 60_000;

/** Instagram's typing indicator stays on for a while by itself; one `typing_on` per this long. */
export const TYPING_THROTTLE_MS = 10_000;

type Attempt =
  | { done: DeliveryOutcome }
  | { rateLimited: MetaRateLimitedError };

/**
 * Sends replies to Instagram and reports where they stand. Only what Meta documents as not
 * delivered is tried again (rate limits and throttling, after Meta's own estimate, in the
 * background while the message stays `pending`); a failure that leaves it unknown whether the
 * contact got the message (a timeout, a dropped connection, a 5xx without Meta's error body) is
 * never repeated, so nobody receives a reply twice: the message is marked failed with "may have
 * been delivered", and Instagram's echo turns it `sent` if it was. A token Meta refuses flips the
 * connection to `needs_reconnect`, which its owner hears about live.
 */
@Injectable()
export class InstagramSendService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(InstagramSendService.name);
  /** Replaceable so tests need not wait Meta's minutes. */
  retryPolicy: SendRetryPolicy = DEFAULT_SEND_RETRY;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly typingSentAt = new Map<string, number>();
  /** Per conversation, the contact's last message already marked seen: reads in between ask nothing. */
  private readonly seenUpTo = new Map<string, number>();
  private orphanSweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly connections: InstagramConnectionsService,
    private readonly sendApi: InstagramSendApi,
    private readonly rateLimiter: SendRateLimiter,
    private readonly inbox: ChannelInbox,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const sweep = () =>
      this.failOrphanedReplies().catch((error: unknown) =>
        this.logger.error(
          `Sweeping orphaned replies failed: ${describeFailure(error)}`,
        ),
      );
    void sweep();
    this.orphanSweep = setInterval(sweep, ORPHAN_SWEEP_INTERVAL_MS);
    this.orphanSweep.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.orphanSweep);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  /**
   * Replies left `pending` by a process that stopped mid-send would wait forever: they are marked
   * failed. Whether Meta got them is unknown, so as "may have been delivered" (the echo, if it
   * comes, turns them `sent`), and they are not sent again.
   * @returns how many were marked.
   */
  async failOrphanedReplies(now = new Date()): Promise<number> {
    const orphaned = await this.inbox.pendingRepliesBefore(
      new Date(now.getTime() - ORPHANED_REPLY_AGE_MS),
    );
    for (const messageId of orphaned)
      await this.inbox.updateMessage(
        { messageId },
        {
          kind: 'status',
          status: 'failed',
          error: MAY_HAVE_BEEN_DELIVERED,
          deliveryError: { mayHaveBeenDelivered: true },
        },
      );
    return orphaned.length;
  }

  /** Whether replies past the 24-hour window go out as a human agent (META_HUMAN_AGENT). */
  get humanAgentAllowed(): boolean {
    return this.config.meta.humanAgent;
  }

  /**
   * One try now. Resolves with the outcome, or with nothing when Meta throttled the account: the
   * reply stays `pending` and later tries report through ChannelInbox.
   */
  async deliver(reply: OutgoingReply): Promise<DeliveryOutcome | void> {
    const attempt = await this.attempt(reply);
    if ('done' in attempt) return attempt.done;
    this.scheduleRetry(reply, 2, attempt.rateLimited);
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

  private async attempt(reply: OutgoingReply): Promise<Attempt> {
    const thread = reply.conversation.instagram;
    if (!thread) throw new Error('Not an Instagram conversation');
    const connection = await this.connections.findById(thread.connectionId);
    if (!isUsable(connection))
      return {
        done: failed(RECONNECT_TO_REPLY, { mayHaveBeenDelivered: false }),
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

  private scheduleRetry(
    reply: OutgoingReply,
    attemptNumber: number,
    cause: MetaRateLimitedError,
  ): void {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.retryPolicy;
    if (attemptNumber > maxAttempts) {
      void this.record(reply, failed(RATE_LIMITED, detailsOf(cause, false)));
      return;
    }
    const backoff = baseDelayMs * 2 ** (attemptNumber - 2);
    const delay = Math.min(maxDelayMs, Math.max(cause.retryAfterMs, backoff));
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.retry(reply, attemptNumber);
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private async retry(
    reply: OutgoingReply,
    attemptNumber: number,
  ): Promise<void> {
    let attempt: Attempt;
    try {
      attempt = await this.attempt(reply);
    } catch (error) {
      this.logger.error(
        `Retry of reply ${reply.message.id} failed: ${describeFailure(error)}`,
      );
      attempt = {
        done: failed(MAY_HAVE_BEEN_DELIVERED, { mayHaveBeenDelivered: true }),
      };
    }
    if ('done' in attempt) await this.record(reply, attempt.done);
    else this.scheduleRetry(reply, attemptNumber + 1, attempt.rateLimited);
  }

  private async record(
    reply: OutgoingReply,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    try {
      await this.inbox.updateMessage(
        { messageId: reply.message.id },
        outcome.status === 'failed'
          ? {
              kind: 'status',
              status: 'failed',
              error: outcome.error,
              deliveryError: outcome.deliveryError,
            }
          : {
              kind: 'status',
              status: outcome.status,
              externalMessageId: outcome.externalMessageId,
            },
      );
    } catch (error) {
      this.logger.error(
        `Recording the outcome of reply ${reply.message.id} failed: ${describeFailure(error)}`,
      );
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

function failed(
  error: string,
  deliveryError: MessageDeliveryErrorDto,
): DeliveryOutcome {
  return { status: 'failed', error, deliveryError };
}

function detailsOf(
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
    return failed(RECONNECT_TO_REPLY, details);
  if (error instanceof MetaWindowClosedError)
    return failed(WINDOW_CLOSED, details);
  if (error instanceof MetaRecipientUnavailableError)
    return failed(error.userMessage ?? RECIPIENT_UNAVAILABLE, details);
  if (error instanceof MetaPermissionError)
    return failed(PERMISSION_MISSING, details);
  return failed(error.userMessage ?? REFUSED, details);
}
