import {
  INSTAGRAM_TEXT_TOO_LONG_MESSAGE,
  INSTAGRAM_TEXT_MAX_LENGTH,
  instagramTextLength,
  RECONNECT_REQUIRED_CODE,
  WINDOW_CLOSED_ERROR_CODE,
} from '@instantchat/contracts';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  type OnModuleInit,
  UnprocessableEntityException,
} from '@nestjs/common';
import type {
  ChannelConversation,
  DeliveryOutcome,
  OutgoingReply,
  ProposedReply,
  ReplyChannel,
} from '../../chat/channels/channel.types';
import { ReplyChannels } from '../../chat/channels/reply-channels';
import { InstagramConnectionsService } from '../instagram-connections.service';
import { InstagramReplyQueue } from './instagram-reply-queue';
import { InstagramSendService } from './instagram-send.service';
import { replyWindowAt } from './messaging-window';

/**
 * How replies in Instagram conversations leave InstantChat: Chat stores them `pending`, then this
 * channel hands them to Meta's Send API (InstagramSendService, through the claims and retries of
 * InstagramReplyQueue). A reply Instagram would refuse
 * for sure (too long, outside the messaging window, from an account that needs reconnecting) is
 * refused here before anything is stored or sent.
 */
@Injectable()
export class InstagramReplyChannel implements ReplyChannel, OnModuleInit {
  readonly kind = 'instagram' as const;
  readonly initialStatus = 'pending' as const;

  constructor(
    private readonly channels: ReplyChannels,
    private readonly sender: InstagramSendService,
    private readonly queue: InstagramReplyQueue,
    private readonly connections: InstagramConnectionsService,
  ) {}

  get repliesAsHumanAgent(): boolean {
    return this.sender.humanAgentAllowed;
  }

  onModuleInit(): void {
    this.channels.register(this);
  }

  async checkReply({ conversation, text }: ProposedReply): Promise<void> {
    if (instagramTextLength(text) > INSTAGRAM_TEXT_MAX_LENGTH)
      throw new BadRequestException(INSTAGRAM_TEXT_TOO_LONG_MESSAGE);
    const window = replyWindowAt(
      conversation.lastInboundAt,
      new Date(),
      this.sender.humanAgentAllowed,
    );
    if (!window.open)
      throw new UnprocessableEntityException({
        message: window.closedAt
          ? `Instagram’s messaging window with this contact closed at ${window.closedAt.toISOString()}; they must write again before you can reply`
          : 'This contact has not written to the account; Instagram only allows replies',
        code: WINDOW_CLOSED_ERROR_CODE,
        ...(window.closedAt && {
          details: { windowClosedAt: window.closedAt.toISOString() },
        }),
      });
    const connection = conversation.instagram
      ? await this.connections.findById(conversation.instagram.connectionId)
      : null;
    if (connection?.state !== 'connected')
      throw new ConflictException({
        message:
          'This Instagram account is not connected: connect it again to reply',
        code: RECONNECT_REQUIRED_CODE,
      });
  }

  deliver(reply: OutgoingReply): Promise<DeliveryOutcome | void> {
    return this.queue.deliver(reply);
  }

  replyWindowClosesAt(conversation: ChannelConversation): Date | null {
    const window = replyWindowAt(
      conversation.lastInboundAt,
      new Date(),
      this.sender.humanAgentAllowed,
    );
    return window.open ? window.closesAt : window.closedAt;
  }

  accountUsernames(
    connectionIds: readonly string[],
  ): Promise<Map<string, string>> {
    return this.connections.usernamesOf(connectionIds);
  }

  agentTyping(conversation: ChannelConversation): void {
    this.sender.agentTyping(conversation);
  }

  agentRead(conversation: ChannelConversation): void {
    this.sender.agentRead(conversation);
  }
}
