import {
  ClientEvent,
  SOCKET_PATH,
  type SocketAck,
  WatchWebhookEventsDto,
} from '@instantchat/contracts';
import { UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { RealtimeService } from '../realtime/realtime.service';
import type { RealtimeSocket } from '../realtime/realtime.types';
import { toSocketAck, validateSocketPayload } from '../realtime/socket-ack';
import { SocketExceptionFilter } from '../realtime/socket-exception.filter';

/**
 * `instagram:events:watch`: a socket asks for `instagram:event` (the webhook events page, while it
 * is open). Only its own user's events, as WebhookEventNotifier sends them; shares the realtime
 * module's Socket.io server, so the socket already passed the JWT handshake.
 */
@WebSocketGateway({ path: SOCKET_PATH })
@UseFilters(SocketExceptionFilter)
export class WebhookEventsGateway {
  constructor(private readonly realtime: RealtimeService) {}

  @SubscribeMessage(ClientEvent.WatchInstagramEvents)
  watch(
    @ConnectedSocket() socket: RealtimeSocket,
    @MessageBody() body: unknown,
  ): Promise<SocketAck<WatchWebhookEventsDto>> {
    return toSocketAck(async () => {
      const { watching } = await validateSocketPayload(
        WatchWebhookEventsDto,
        body,
      );
      await this.realtime.watch(socket, 'instagram-events', watching);
      return { watching };
    });
  }
}
