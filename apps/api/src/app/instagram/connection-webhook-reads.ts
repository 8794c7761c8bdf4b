import { type Model, Types } from 'mongoose';
import { CoalescedReads } from '../database/coalesced-reads';
import {
  type InstagramConnection,
  type InstagramConnectionDocument,
  WEBHOOK_ROUTE_SORT,
} from './schemas/instagram-connection.schema';

/**
 * How long a webhook's route (the account's connection) and a connection's username are reused
 * without asking the database. A change made through InstagramConnectionsService is seen at once;
 * one made by another instance within this time.
 */
export const CONNECTION_CACHE_MS = 10_000;
/** Entries remembered at most per cache; the oldest go first. */
const CONNECTION_CACHE_SIZE = 10_000;

interface Remembered<T> {
  value: T;
  expiresAt: number;
}

/**
 * The reads of connections that every webhook delivery makes (whose account it is, the account's
 * username for the owner's view), remembered for CONNECTION_CACHE_MS; those not remembered are
 * read together with the others of the same event-loop turn. Owned by InstagramConnectionsService,
 * which forgets everything on each of its writes (a read that a write overtook is not remembered).
 */
export class ConnectionWebhookReads {
  /** findForWebhook's answers, by account id. */
  private readonly routes = new Map<
    string,
    Remembered<InstagramConnectionDocument | null>
  >();
  /** usernamesOf's answers, by connection id. */
  private readonly usernames = new Map<string, Remembered<string>>();
  /** Counts the owner's writes (forget): a read that a write overtook is not remembered. */
  private generation = 0;
  /**
   * findForWebhook's reads of one turn in one query: per account, its holder first (connected),
   * then the latest to change it.
   */
  private readonly routeReads = new CoalescedReads<InstagramConnectionDocument>(
    (accountIds) =>
      this.connections
        .find({ instagramAccountId: { $in: accountIds } })
        .sort(WEBHOOK_ROUTE_SORT)
        .exec(),
    (connection) => connection.instagramAccountId,
  );

  /** usernamesOf's reads of one turn in one query. */
  private readonly usernameReads = new CoalescedReads<{
    _id: Types.ObjectId;
    instagramUsername: string;
  }>(
    (ids) =>
      this.connections
        .find({ _id: { $in: ids } })
        .select({ instagramUsername: 1 })
        .lean<{ _id: Types.ObjectId; instagramUsername: string }[]>()
        .exec(),
    (connection) => connection._id.toHexString(),
  );

  constructor(private readonly connections: Model<InstagramConnection>) {}

  /**
   * The connection webhooks for this account belong to: its holder (connected or needing
   * reconnection: their messages keep arriving), else the latest owner who disconnected it, else
   * null for an account nobody connected.
   */
  async findForWebhook(
    instagramAccountId: string,
  ): Promise<InstagramConnectionDocument | null> {
    const cached = this.routes.get(instagramAccountId);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const generation = this.generation;
    const connection = (await this.routeReads.read(instagramAccountId)) ?? null;
    if (generation === this.generation) {
      remember(this.routes, instagramAccountId, connection);
    }
    return connection;
  }

  /** Each connection's account username, by connection id (ids that match none are left out). */
  async usernamesOf(
    connectionIds: readonly string[],
  ): Promise<Map<string, string>> {
    const usernames = new Map<string, string>();
    const missing: string[] = [];
    const now = Date.now();
    for (const id of connectionIds) {
      const cached = this.usernames.get(id);
      if (cached && cached.expiresAt > now) {
        if (cached.value !== null) usernames.set(id, cached.value);
      } else if (Types.ObjectId.isValid(id)) missing.push(id.toLowerCase());
    }
    if (missing.length === 0) return usernames;
    const generation = this.generation;
    const found = await Promise.all(
      missing.map((id) => this.usernameReads.read(id)),
    );
    for (const connection of found) {
      if (!connection) continue;
      const id = connection._id.toHexString();
      usernames.set(id, connection.instagramUsername);
      if (generation === this.generation) {
        remember(this.usernames, id, connection.instagramUsername);
      }
    }
    return usernames;
  }

  /** A write began or ended: nothing remembered so far may still be true. */
  forget(): void {
    this.generation += 1;
    this.routes.clear();
    this.usernames.clear();
  }
}

function remember<T>(
  cache: Map<string, Remembered<T>>,
  key: string,
  value: T,
): void {
  cache.delete(key);
  if (cache.size >= CONNECTION_CACHE_SIZE) {
    cache.delete(cache.keys().next().value as string);
  }
  cache.set(key, { value, expiresAt: Date.now() + CONNECTION_CACHE_MS });
}
