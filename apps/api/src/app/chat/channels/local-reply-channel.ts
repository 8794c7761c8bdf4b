import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ReplyChannel } from './channel.types';
import { ReplyChannels } from './reply-channels';

/**
 * Replies between two InstantChat users. Storing the reply is delivering it: it is in the other
 * participant's history at once, and ChatNotifier's `message:new` reaches their open tabs.
 */
@Injectable()
export class LocalReplyChannel implements ReplyChannel, OnModuleInit {
  readonly kind = 'local' as const;
  readonly initialStatus = 'sent' as const;

  constructor(private readonly channels: ReplyChannels) {}

  onModuleInit(): void {
    this.channels.register(this);
  }

  async deliver(): Promise<void> {
    // Nothing left to hand over: see the class comment.
  }
}
