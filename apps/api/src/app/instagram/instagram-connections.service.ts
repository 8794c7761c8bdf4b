import type {
  InstagramLoginMethod,
  InstagramStatusDto,
} from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { toInstagramAccountDto } from './instagram-account.mapper';
import { InstagramStatusNotifier } from './instagram-status.notifier';
import {
  type AuthorizedAccount,
  type ConnectedAccountCredentials,
  ConnectFlowError,
  type RefreshedToken,
} from './login-methods/login-method';
import { LoginMethods } from './login-methods/login-methods';
import {
  InstagramConnection,
  type InstagramConnectionDocument,
} from './schemas/instagram-connection.schema';
import { ConnectionWebhookReads } from './connection-webhook-reads';
import { describeFailure } from './describe-failure';
import { OwnedAccounts } from './owned-accounts';
import { TokenCipher } from './token-cipher';
import { definedFields } from '../core/defined-fields';

export const RECONNECT_REQUIRED_MESSAGE =
  'Meta no longer accepts this account’s access; connect it again.';
export const UNSUBSCRIBE_FAILED_MESSAGE =
  'Meta could not be asked to stop sending this account’s messages; remove InstantChat from the account’s connected apps to stop them.';

/**
 * The connections (collection `instagramusers`) and their sealed tokens: the one place that reads
 * or writes them. Every change an owner should see live is announced through
 * `InstagramStatusNotifier`.
 */
@Injectable()
export class InstagramConnectionsService {
  private readonly logger = new Logger(InstagramConnectionsService.name);
  /** The reads webhooks make of every delivery, remembered; forgotten on every write here. */
  private readonly webhookReads: ConnectionWebhookReads;
  private readonly owned: OwnedAccounts;

  constructor(
    @InjectModel(InstagramConnection.name)
    private readonly connections: Model<InstagramConnection>,
    private readonly cipher: TokenCipher,
    private readonly loginMethods: LoginMethods,
    private readonly notifier: InstagramStatusNotifier,
  ) {
    this.webhookReads = new ConnectionWebhookReads(connections);
    this.owned = new OwnedAccounts(connections);
  }

  /** Whether someone other than `userId` holds the account (connected or needing reconnection). */
  async isHeldByAnotherUser(
    instagramAccountId: string,
    userId: string,
  ): Promise<boolean> {
    const holder = await this.connections
      .exists({
        instagramAccountId,
        isConnected: true,
        userId: { $ne: toObjectId(userId) },
      })
      .exec();
    return holder !== null;
  }

  /**
   * Stores (or, for an account the user had before, updates) a working connection. A concurrent
   * connect of the same account by another user loses here, on the unique index.
   */
  async saveConnected(
    userId: string,
    method: InstagramLoginMethod,
    account: AuthorizedAccount,
    webhookSubscribed: boolean,
  ): Promise<InstagramConnection> {
    const profile = {
      name: account.name,
      profilePictureUrl: account.profilePictureUrl,
      pageId: account.pageId,
      pageName: account.pageName,
    };
    const set = definedFields(profile);
    const unset = Object.fromEntries(
      Object.entries(profile)
        .filter(([, value]) => value === undefined)
        .map(([key]) => [key, 1]),
    );
    const filter = {
      userId: toObjectId(userId),
      instagramAccountId: account.instagramAccountId,
    };
    const update = {
      $set: {
        ...set,
        method,
        instagramUsername: account.username,
        accessToken: this.cipher.seal(
          account.accessToken,
          tokenContext(account.instagramAccountId),
        ),
        tokenExpiresAt: account.tokenExpiresAt,
        scopes: account.scopes,
        state: 'connected',
        isConnected: true,
        webhookSubscribed,
        lastError: null,
      },
      ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
    };
    const upsert = () =>
      this.changing(
        this.connections
          .findOneAndUpdate(filter, update, {
            upsert: true,
            returnDocument: 'after',
          })
          .exec(),
      );
    let saved: InstagramConnectionDocument | null;
    try {
      saved = await upsert();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Either another user holds the account, or this user's own concurrent connect inserted the
      // document first; only the second is worth one more try (it now updates).
      if (await this.isHeldByAnotherUser(account.instagramAccountId, userId))
        throw new ConnectFlowError('already_connected');
      saved = await upsert().catch((retryError: unknown) => {
        throw isDuplicateKeyError(retryError)
          ? new ConnectFlowError('already_connected')
          : retryError;
      });
    }
    const connection = saved as InstagramConnectionDocument;
    await this.announce(connection);
    return connection;
  }

  /**
   * The connection webhooks for this account belong to: its holder (connected or needing
   * reconnection: their messages keep arriving), else the latest owner who disconnected it, else
   * null for an account nobody connected. Remembered for CONNECTION_CACHE_MS.
   */
  findForWebhook(
    instagramAccountId: string,
  ): Promise<InstagramConnectionDocument | null> {
    return this.webhookReads.findForWebhook(instagramAccountId);
  }

  /** Each connection's account username, by connection id (ids that match none are left out). */
  usernamesOf(connectionIds: readonly string[]): Promise<Map<string, string>> {
    return this.webhookReads.usernamesOf(connectionIds);
  }

  async statusOf(userId: string): Promise<InstagramStatusDto> {
    const connections = await this.connections
      .find({ userId: toObjectId(userId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()
      .exec();
    const now = new Date();
    const accounts = connections.map((c) => toInstagramAccountDto(c, now));
    return {
      connected: accounts.some((a) => a.state === 'connected'),
      loginMethods: this.loginMethods.names,
      accounts,
    };
  }

  /**
   * Stops Meta's webhooks for the account (best effort: a failure is recorded, not fatal), forgets
   * its token and marks it disconnected. Its conversations stay. Without `accountId`, the caller
   * must hold exactly one account.
   */
  async disconnect(
    userId: string,
    accountId: string | undefined,
  ): Promise<InstagramStatusDto> {
    const connection = await this.owned.toDisconnect(userId, accountId);
    let unsubscribed = !connection.webhookSubscribed;
    if (connection.webhookSubscribed && connection.accessToken) {
      try {
        await this.loginMethods
          .get(connection.method)
          .unsubscribeWebhooks(this.credentialsOf(connection));
        unsubscribed = true;
      } catch (error) {
        this.logger.warn(
          `Unsubscribing Instagram account ${connection.instagramAccountId} failed: ${describeFailure(error)}`,
        );
      }
    }
    const updated = await this.changing(
      this.connections
        .findByIdAndUpdate(
          connection._id,
          {
            $set: {
              state: 'disconnected',
              isConnected: false,
              webhookSubscribed: !unsubscribed,
              tokenExpiresAt: null,
              lastError: unsubscribed ? null : UNSUBSCRIBE_FAILED_MESSAGE,
            },
            $unset: { accessToken: 1 },
          },
          { returnDocument: 'after' },
        )
        .exec(),
    );
    if (updated) await this.announce(updated);
    return this.statusOf(userId);
  }

  /**
   * Meta refused the account's token (revoked, expired, a failed refresh): the owner must connect
   * it again. They keep the account meanwhile.
   */
  async markNeedsReconnect(
    connectionId: Types.ObjectId,
    reason: string,
  ): Promise<void> {
    const updated = await this.changing(
      this.connections
        .findOneAndUpdate(
          { _id: connectionId, state: 'connected' },
          {
            $set: {
              state: 'needs_reconnect',
              lastError: RECONNECT_REQUIRED_MESSAGE,
            },
          },
          { returnDocument: 'after' },
        )
        .exec(),
    );
    if (updated) await this.announce(updated, reason);
  }

  async recordProblem(
    connectionId: Types.ObjectId,
    message: string,
  ): Promise<void> {
    await this.changing(
      this.connections
        .updateOne({ _id: connectionId }, { $set: { lastError: message } })
        .exec(),
    );
  }

  async saveRefreshedToken(
    connection: InstagramConnectionDocument,
    token: RefreshedToken,
  ): Promise<void> {
    await this.changing(
      this.connections
        .updateOne(
          { _id: connection._id, state: 'connected' },
          {
            $set: {
              accessToken: this.cipher.seal(
                token.accessToken,
                tokenContext(connection.instagramAccountId),
              ),
              tokenExpiresAt: token.tokenExpiresAt,
              lastError: null,
            },
          },
        )
        .exec(),
    );
  }

  /** Every working connection, in batches, for the token maintenance pass. */
  async *connectedInBatches(
    batchSize = 100,
  ): AsyncGenerator<InstagramConnectionDocument[]> {
    let after: Types.ObjectId | undefined;
    for (;;) {
      const batch = await this.connections
        .find({ state: 'connected', ...(after ? { _id: { $gt: after } } : {}) })
        .sort({ _id: 1 })
        .limit(batchSize)
        .exec();
      if (batch.length === 0) return;
      yield batch;
      after = batch[batch.length - 1]._id;
    }
  }

  /** A connection by its id (conversations point at theirs), or null. */
  findById(connectionId: string): Promise<InstagramConnectionDocument | null> {
    if (!Types.ObjectId.isValid(connectionId)) return Promise.resolve(null);
    return this.connections.findById(connectionId).exec();
  }

  /**
   * The caller's held account to send from: the one named, or their only one.
   * @throws NotFoundException when the named account is not theirs, or they hold none.
   * @throws BadRequestException when none is named and they hold several.
   */
  findAccountToSendFrom(
    userId: string,
    accountId: string | undefined,
  ): Promise<InstagramConnectionDocument> {
    return this.owned.toSendFrom(userId, accountId);
  }

  /** The token and ids Meta's calls need; the token exists only in memory, never in a log. */
  credentialsOf(connection: InstagramConnection): ConnectedAccountCredentials {
    if (!connection.accessToken)
      throw new Error('The connection holds no token');
    return {
      instagramAccountId: connection.instagramAccountId,
      pageId: connection.pageId,
      accessToken: this.cipher.unseal(
        connection.accessToken,
        tokenContext(connection.instagramAccountId),
      ),
    };
  }

  /** A write of this service: what the caches hold may be stale from its start to its end. */
  private async changing<T>(write: Promise<T>): Promise<T> {
    this.webhookReads.forget();
    try {
      return await write;
    } finally {
      this.webhookReads.forget();
    }
  }

  private async announce(
    connection: InstagramConnectionDocument,
    reason?: string,
  ): Promise<void> {
    const anyConnected = await this.connections
      .exists({ userId: connection.userId, state: 'connected' })
      .exec();
    this.notifier.accountChanged(
      connection.userId.toString(),
      toInstagramAccountDto(connection),
      anyConnected !== null,
      reason,
    );
  }
}

/** Binds a sealed token to its account, so it cannot be replayed on another record. */
function tokenContext(instagramAccountId: string): string {
  return `instagram-connection:${instagramAccountId}`;
}

/** User ids here come from a verified access token or a burned state, never from a client. */
function toObjectId(userId: string): Types.ObjectId {
  return new Types.ObjectId(userId);
}
