import {
  ClientEvent,
  type MessageDto,
  SendMessageEventDto,
  SOCKET_PATH,
  type SocketAck,
  TypingEventDto,
} from '@instantchat/contracts';
import { HttpException, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { toSocketAck, validateSocketPayload } from '../realtime/socket-ack';
import type { RealtimeSocket } from '../realtime/realtime.types';
import { SocketExceptionFilter } from '../realtime/socket-exception.filter';
import { ReplyChannels } from './channels/reply-channels';
import { ChatNotifier } from './chat-notifier.service';
import { toChannelConversation } from './chat.mapper';
import { ConversationsService } from './conversations.service';
import { MessagesService } from './messages.service';

/**
 * Chat's client events. Shares the realtime module's Socket.io server (same path), so every socket
 * reaching these handlers already passed the JWT handshake and carries its user.
 */
@WebSocketGateway({ path: SOCKET_PATH })
@UseFilters(SocketExceptionFilter)
export class ChatGateway {
  constructor(
    private readonly messages: MessagesService,
    private readonly conversations: ConversationsService,
    private readonly notifier: ChatNotifier,
    private readonly replyChannels: ReplyChannels,
  ) {}

  /** Same rules and outcome as `POST /api/conversations/:id/messages`, answered in the ack. */
  @SubscribeMessage(ClientEvent.Send)
  send(
    @ConnectedSocket() socket: RealtimeSocket,
    @MessageBody() body: unknown,
  ): Promise<SocketAck<MessageDto>> {
    return toSocketAck(async () => {
      const payload = await validateSocketPayload(SendMessageEventDto, body);
      // A retry is answered like the first send: ok, with the message stored then.
      const { message } = await this.messages.send(
        socket.data.user.id,
        payload.conversationId,
        payload.text,
        payload.clientMessageId,
      );
      return message;
    });
  }

  /**
   * Relayed to the other participants. Typing is fire-and-forget and frequent, so a bad payload
   * or someone else's conversation is dropped without an answer.
   */
  @SubscribeMessage(ClientEvent.Typing)
  async typing(
    @ConnectedSocket() socket: RealtimeSocket,
    @MessageBody() body: unknown,
  ): Promise<void> {
    const userId = socket.data.user.id;
    try {
      const payload = await validateSocketPayload(TypingEventDto, body);
      const { identity, record } = await this.conversations.identify(
        userId,
        payload.conversationId,
      );
      this.notifier.typing(identity, userId, payload.isTyping);
      // An external contact sees it too, where the channel can show it.
      const channel = this.replyChannels.find(identity.kind);
      if (payload.isTyping && channel?.agentTyping) {
        const conversation =
          record ??
          (await this.conversations.getForUser(userId, payload.conversationId));
        channel.agentTyping(toChannelConversation(conversation), userId);
      }
    } catch (error) {
      // 400 (bad payload) or 404 (not the caller's conversation): nothing to relay.
      if (!(error instanceof HttpException)) {
        throw error;
      }
    }
  }
}
