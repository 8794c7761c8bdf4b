import { ServerEvent, type InstagramAccountDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { RealtimeService } from '../realtime/realtime.service';

/**
 * Tells the owner's open dashboards that one of their Instagram connections changed (connected,
 * needs reconnecting, disconnected). Only the owner's room hears it. Like every live update, it
 * never fails the change itself.
 */
@Injectable()
export class InstagramStatusNotifier {
  constructor(private readonly realtime: RealtimeService) {}

  accountChanged(
    ownerId: string,
    account: InstagramAccountDto,
    ownerHasAnyConnected: boolean,
    reason?: string,
  ): void {
    this.realtime.emitToUser(ownerId, ServerEvent.InstagramStatus, {
      connected: ownerHasAnyConnected,
      instagramUsername: account.username,
      account,
      ...(reason ? { reason } : {}),
    });
  }
}
