import { ServerEvent } from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InstagramConnectionsService } from '../instagram/instagram-connections.service';
import { RealtimeService } from '../realtime/realtime.service';
import type { WebhookEventRecord } from './schemas/webhook-event.schema';
import { ownerViewOf } from './webhook-owner-view';

/**
 * Tells owners' open events pages that a delivery was worked on (`instagram:event`), only the
 * sockets that watch them (WebhookEventsGateway): a DM is already `message:new` and
 * `conversation:updated` for every tab. Each owner hears only their own view of it, exactly as
 * `GET /api/instagram/events` shows it: items applied for them, or of accounts they hold; an
 * account nobody holds tells nobody. Like every live update, it never fails the processing itself.
 */
@Injectable()
export class WebhookEventNotifier {
  private readonly logger = new Logger(WebhookEventNotifier.name);

  constructor(
    private readonly realtime: RealtimeService,
    private readonly connections: InstagramConnectionsService,
  ) {}

  async deliveryWorkedOn(event: WebhookEventRecord): Promise<void> {
    try {
      // Items routed to an owner show by their owner alone; only the others need held accounts.
      const anyUnrouted = event.items.some((item) => !item.ownerUserId);
      for (const ownerId of await this.ownersOf(event)) {
        const held = anyUnrouted ? await this.heldAccountIds(ownerId) : [];
        const view = ownerViewOf(event, ownerId, held);
        if (view.items.length > 0) {
          this.realtime.emitToWatchers(
            ownerId,
            'instagram-events',
            ServerEvent.InstagramEvent,
            view,
          );
        }
      }
    } catch (error) {
      this.logger.warn(
        `Could not announce webhook ${event._id.toHexString()}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async heldAccountIds(ownerId: string): Promise<string[]> {
    const { accounts } = await this.connections.statusOf(ownerId);
    return accounts
      .filter((account) => account.state !== 'disconnected')
      .map((account) => account.id);
  }

  /** Whom the items were applied for, and the holders of the accounts of items not applied (yet). */
  private async ownersOf(event: WebhookEventRecord): Promise<Set<string>> {
    const owners = new Set<string>();
    const unowned = new Set<string>();
    for (const item of event.items) {
      if (item.ownerUserId) owners.add(item.ownerUserId.toHexString());
      else if (item.accountId) unowned.add(item.accountId);
    }
    for (const accountId of unowned) {
      const holder = await this.connections.findForWebhook(accountId);
      if (holder) owners.add(holder.userId.toHexString());
    }
    return owners;
  }
}
