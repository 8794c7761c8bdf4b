import type { ConversationKind } from '@instantchat/contracts';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { ReplyChannel } from './channel.types';

/**
 * Which channel carries the replies of each kind of conversation. Modules register their channel
 * at startup (`onModuleInit`), so Chat sends through Instagram without importing it.
 */
@Injectable()
export class ReplyChannels {
  private readonly byKind = new Map<ConversationKind, ReplyChannel>();

  /** @throws Error when the kind already has a channel: two modules claiming it is a wiring bug. */
  register(channel: ReplyChannel): void {
    if (this.byKind.has(channel.kind)) {
      throw new Error(
        `A reply channel for ${channel.kind} conversations is already registered`,
      );
    }
    this.byKind.set(channel.kind, channel);
  }

  /** The channel of a kind, or undefined when no module carries it. */
  find(kind: ConversationKind): ReplyChannel | undefined {
    return this.byKind.get(kind);
  }

  /**
   * @throws ServiceUnavailableException when no module carries this kind's replies (e.g. the
   * Instagram module is not loaded): the conversation is fine, this server cannot reach it.
   */
  forKind(kind: ConversationKind): ReplyChannel {
    const channel = this.byKind.get(kind);
    if (!channel) {
      throw new ServiceUnavailableException(
        `Replies to ${kind} conversations cannot be sent from this server`,
      );
    }
    return channel;
  }
}
