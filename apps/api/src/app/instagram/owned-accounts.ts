import { BadRequestException, NotFoundException } from '@nestjs/common';
import { type Model, Types } from 'mongoose';
import type {
  InstagramConnection,
  InstagramConnectionDocument,
} from './schemas/instagram-connection.schema';

/**
 * Which of a caller's accounts a request means: the one it names, or, when it names none, the only
 * one the caller holds. Owned by InstagramConnectionsService; user ids come from a verified access
 * token, never from a client.
 */
export class OwnedAccounts {
  constructor(private readonly connections: Model<InstagramConnection>) {}

  /**
   * The caller's held account to send from: the one named, or their only one.
   * @throws NotFoundException when the named account is not theirs, or they hold none.
   * @throws BadRequestException when none is named and they hold several.
   */
  toSendFrom(
    userId: string,
    accountId: string | undefined,
  ): Promise<InstagramConnectionDocument> {
    return this.find(userId, accountId, { heldOnly: true });
  }

  /**
   * The account to disconnect: the one named, held or not (disconnecting one already disconnected
   * changes nothing), or the caller's only held one. Throws as `toSendFrom`.
   */
  toDisconnect(
    userId: string,
    accountId: string | undefined,
  ): Promise<InstagramConnectionDocument> {
    return this.find(userId, accountId, { heldOnly: false });
  }

  private find(
    userId: string,
    accountId: string | undefined,
    { heldOnly }: { heldOnly: boolean },
  ): Promise<InstagramConnectionDocument> {
    const owner = new Types.ObjectId(userId);
    return accountId === undefined
      ? this.onlyHeld(owner)
      : this.named({
          userId: owner,
          instagramAccountId: accountId,
          ...(heldOnly && { isConnected: true as const }),
        });
  }

  private async named(filter: {
    userId: Types.ObjectId;
    instagramAccountId: string;
    isConnected?: true;
  }): Promise<InstagramConnectionDocument> {
    const connection = await this.connections.findOne(filter).exec();
    if (!connection)
      throw new NotFoundException('No such Instagram account among yours');
    return connection;
  }

  private async onlyHeld(
    owner: Types.ObjectId,
  ): Promise<InstagramConnectionDocument> {
    const held = await this.connections
      .find({ userId: owner, isConnected: true })
      .limit(2)
      .exec();
    if (held.length === 0)
      throw new NotFoundException('You have no connected Instagram account');
    if (held.length > 1)
      throw new BadRequestException(
        'accountId is required: you have several Instagram accounts connected',
      );
    return held[0];
  }
}
