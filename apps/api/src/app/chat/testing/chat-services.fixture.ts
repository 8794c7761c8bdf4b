import type { ServerToClientEvents } from '@instantchat/contracts';
import { startEmbeddedMongo } from '@instantchat/mongo-embedded';
import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { withDatabaseName } from '../../database/database-server';
import { RealtimeService } from '../../realtime/realtime.service';
import type { RealtimeServer } from '../../realtime/realtime.types';
import { UsersService } from '../../users/users.service';
import { ChannelInbox } from '../channels/channel-inbox.service';
import { LocalReplyChannel } from '../channels/local-reply-channel';
import { ReplyChannels } from '../channels/reply-channels';
import { ChatNotifier } from '../chat-notifier.service';
import { ConversationPresenter } from '../conversation-presenter.service';
import { ConversationsService } from '../conversations.service';
import { InstagramThreads } from '../instagram-threads.service';
import { MessagesService } from '../messages.service';
import { ReplyDelivery } from '../reply-delivery.service';
import {
  Conversation,
  ConversationSchema,
} from '../schemas/conversation.schema';
import { Message, MessageSchema } from '../schemas/message.schema';

export interface EmittedEvent {
  /** The rooms the event went to, e.g. `user:<id>`. */
  rooms: string[];
  event: keyof ServerToClientEvents;
  payload: unknown;
}

export interface FakeUser {
  id: string;
  displayName: string;
}

/**
 * The chat services wired as in ChatModule, against a real (embedded) MongoDB. Two collaborators
 * are stand-ins: users live in memory, and the Socket.io server only records what is emitted (the
 * real RealtimeService decides the rooms).
 */
export class ChatServicesFixture {
  readonly emitted: EmittedEvent[] = [];

  private constructor(
    readonly module: TestingModule,
    private readonly users: Map<string, FakeUser>,
    private readonly stopMongo: () => Promise<void>,
  ) {}

  static async start(): Promise<ChatServicesFixture> {
    const mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
    const users = new Map<string, FakeUser>();
    const usersService = {
      findProfile: async (id: string) => users.get(id) ?? null,
      findProfiles: async (ids: readonly string[]) =>
        ids.flatMap((id) => users.get(id) ?? []),
    };
    try {
      const module = await Test.createTestingModule({
        imports: [
          MongooseModule.forRoot(
            withDatabaseName(
              mongo.uri,
              `chat_${randomBytes(4).toString('hex')}`,
            ),
            // For databaseCommandsDuring: what the services ask of the database, not how long it takes.
            { monitorCommands: true },
          ),
          MongooseModule.forFeature([
            { name: Conversation.name, schema: ConversationSchema },
            { name: Message.name, schema: MessageSchema },
          ]),
        ],
        providers: [
          ConversationsService,
          InstagramThreads,
          MessagesService,
          ConversationPresenter,
          ChatNotifier,
          ReplyChannels,
          LocalReplyChannel,
          ChannelInbox,
          ReplyDelivery,
          RealtimeService,
          { provide: UsersService, useValue: usersService },
        ],
      }).compile();
      await module.init();
      const fixture = new ChatServicesFixture(module, users, () =>
        mongo.stop(),
      );
      module.get(RealtimeService).attachServer(fixture.recordingServer());
      return fixture;
    } catch (error) {
      await mongo.stop();
      throw error;
    }
  }

  /** The names of the database commands (find, insert, update, …) `work` sent, in order. */
  async databaseCommandsDuring(
    work: () => Promise<unknown>,
  ): Promise<string[]> {
    const client = this.connection.getClient();
    const names: string[] = [];
    const record = (event: { commandName: string }) =>
      names.push(event.commandName);
    client.on('commandStarted', record);
    try {
      await work();
    } finally {
      client.off('commandStarted', record);
    }
    return names;
  }

  get conversations(): ConversationsService {
    return this.module.get(ConversationsService);
  }

  get instagramThreads(): InstagramThreads {
    return this.module.get(InstagramThreads);
  }

  get messages(): MessagesService {
    return this.module.get(MessagesService);
  }

  get inbox(): ChannelInbox {
    return this.module.get(ChannelInbox);
  }

  get replyChannels(): ReplyChannels {
    return this.module.get(ReplyChannels);
  }

  get presenter(): ConversationPresenter {
    return this.module.get(ConversationPresenter);
  }

  get connection(): Connection {
    return this.module.get<Connection>(getConnectionToken());
  }

  addUser(displayName: string): FakeUser {
    const user = { id: new Types.ObjectId().toHexString(), displayName };
    this.users.set(user.id, user);
    return user;
  }

  /** Events emitted so far with this name, and forgets all recorded events. */
  takeEmitted(event?: keyof ServerToClientEvents): EmittedEvent[] {
    const taken = this.emitted.filter((e) => !event || e.event === event);
    this.emitted.length = 0;
    return taken;
  }

  async close(): Promise<void> {
    await this.module.close();
    await this.stopMongo();
  }

  private recordingServer(): RealtimeServer {
    const server = {
      to: (rooms: string | string[]) => ({
        emit: (event: keyof ServerToClientEvents, payload: unknown) => {
          this.emitted.push({
            rooms: ([] as string[]).concat(rooms),
            event,
            payload,
          });
          return true;
        },
      }),
    };
    return server as unknown as RealtimeServer;
  }
}
