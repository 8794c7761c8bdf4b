import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RealtimeModule } from '../realtime/realtime.module';
import { UsersModule } from '../users/users.module';
import { ChannelInbox } from './channels/channel-inbox.service';
import { LocalReplyChannel } from './channels/local-reply-channel';
import { ReplyChannels } from './channels/reply-channels';
import { ReplyOutbox } from './channels/reply-outbox.service';
import { ChatNotifier } from './chat-notifier.service';
import { ChatGateway } from './chat.gateway';
import { ConversationPresenter } from './conversation-presenter.service';
import { ConversationRepairService } from './conversation-repair.service';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { InstagramThreads } from './instagram-threads.service';
import { MessageUpgradesService } from './message-upgrades.service';
import { MessagesService } from './messages.service';
import { ReplyDelivery } from './reply-delivery.service';
import { MessageRetryController } from './retry/message-retry.controller';
import { MessageRetryService } from './retry/message-retry.service';
import {
  Conversation,
  ConversationSchema,
} from './schemas/conversation.schema';
import { Message, MessageSchema } from './schemas/message.schema';
import { FirstMessageController } from './first-message/first-message.controller';
import { FirstMessageService } from './first-message/first-message.service';
import { ConversationSearchService } from './search/conversation-search.service';
import { MessageSearchController } from './search/message-search.controller';
import { MessageSearchService } from './search/message-search.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Conversation.name, schema: ConversationSchema },
      { name: Message.name, schema: MessageSchema },
    ]),
    UsersModule,
    RealtimeModule,
  ],
  controllers: [
    ConversationsController,
    FirstMessageController,
    MessageSearchController,
    MessageRetryController,
  ],
  providers: [
    ConversationsService,
    InstagramThreads,
    MessagesService,
    ConversationPresenter,
    ChatNotifier,
    ChatGateway,
    ReplyChannels,
    LocalReplyChannel,
    ChannelInbox,
    ReplyDelivery,
    MessageRetryService,
    ReplyOutbox,
    ConversationRepairService,
    MessageUpgradesService,
    FirstMessageService,
    MessageSearchService,
    ConversationSearchService,
  ],
  // The channel seam is all other modules see of Chat: register a ReplyChannel, record through
  // ChannelInbox (types in channels/channel.types.ts), and send a reply on a person's behalf
  // through MessagesService.send, with the same rules as the REST send; a channel that hands
  // replies over after storing them claims them through ReplyOutbox.
  exports: [ReplyChannels, ChannelInbox, ReplyOutbox, MessagesService],
})
export class ChatModule {}
