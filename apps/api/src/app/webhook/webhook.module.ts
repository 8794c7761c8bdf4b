import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ChatModule } from '../chat/chat.module';
import { InstagramModule } from '../instagram/instagram.module';
import { MetaModule } from '../meta/meta.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ContactProfiles } from './contact-profiles';
import { InstagramEventApplier } from './instagram-event-applier';
import { InboxBacklogReporter } from './inbox-backlog.reporter';
import { InstagramWebhookController } from './instagram-webhook.controller';
import {
  ParkedChange,
  ParkedChangeSchema,
} from './schemas/parked-change.schema';
import {
  WebhookEvent,
  WebhookEventSchema,
} from './schemas/webhook-event.schema';
import { WebhookEventNotifier } from './webhook-event.notifier';
import { WebhookEventsController } from './webhook-events.controller';
import { WebhookEventsGateway } from './webhook-events.gateway';
import { WebhookClaims } from './webhook-claims.service';
import { WebhookInbox } from './webhook-inbox.service';
import { WebhookOwnerEvents } from './webhook-owner-events.service';
import { WebhookDeliveryPass } from './webhook-delivery-pass';
import { WebhookProcessor } from './webhook-processor.service';
import { WebhookRetention } from './webhook-retention';

/**
 * Meta's webhook: verification, signed intake into the durable inbox (`webhookevents`), the
 * processor that applies each item to Chat through its channel seam, and the owners' view of it.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: WebhookEvent.name, schema: WebhookEventSchema },
      { name: ParkedChange.name, schema: ParkedChangeSchema },
    ]),
    ChatModule,
    InstagramModule,
    MetaModule,
    RealtimeModule,
  ],
  controllers: [InstagramWebhookController, WebhookEventsController],
  providers: [
    WebhookInbox,
    WebhookClaims,
    WebhookOwnerEvents,
    WebhookDeliveryPass,
    WebhookProcessor,
    WebhookRetention,
    InstagramEventApplier,
    ContactProfiles,
    InboxBacklogReporter,
    WebhookEventNotifier,
    WebhookEventsGateway,
  ],
})
export class WebhookModule {}
