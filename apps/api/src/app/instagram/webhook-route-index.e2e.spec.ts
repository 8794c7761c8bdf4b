import { getModelToken } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { createTestApp, type TestApp } from '../testing/test-app';
import { explainQuery } from '../testing/explained-query';
import { InstagramConnectionsService } from './instagram-connections.service';
import {
  InstagramConnection,
  WEBHOOK_ROUTE_SORT,
} from './schemas/instagram-connection.schema';

/** Accounts with one to three connections each (one per owner who ever connected it). */
const ACCOUNTS = 300;

describe('Webhook routes by index (e2e)', () => {
  let app: TestApp;
  let connections: Model<InstagramConnection>;
  let service: InstagramConnectionsService;
  const account = (n: number) => `1784140${String(n).padStart(10, '0')}`;

  beforeAll(async () => {
    app = await createTestApp();
    connections = app.app.get(getModelToken(InstagramConnection.name));
    service = app.app.get(InstagramConnectionsService);
    await connections.init();
    const t0 = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: ACCOUNTS }, (_, n) =>
      // Account n: n % 3 + 1 connections; the first connected (the holder) and the oldest, the
      // others disconnected since and changed later.
      Array.from({ length: (n % 3) + 1 }, (_, k) => ({
        _id: new Types.ObjectId(),
        userId: new Types.ObjectId(),
        instagramAccountId: account(n),
        instagramUsername: `account_${n}_${k}`,
        isConnected: k === 0,
        updatedAt: new Date(t0 + k * 60_000),
      })),
    ).flat();
    await connections.collection.insertMany(rows);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('reads only the connections of the accounts asked for, through an index', async () => {
    const asked = [account(2), account(4), account(7)];
    const explained = await explainQuery(
      connections
        .find({ instagramAccountId: { $in: asked } })
        .sort(WEBHOOK_ROUTE_SORT),
    );

    expect(explained.plan).toContain('IXSCAN');
    // Accounts 2, 4 and 7 have 3, 2 and 2 connections.
    expect(explained.docsExamined).toBe(7);
    expect(explained.returned).toBe(7);
  });

  it('routes each account to its holder, not to a later disconnected owner', async () => {
    const routes = await Promise.all(
      [2, 4, 7, 9].map((n) => service.findForWebhook(account(n))),
    );

    expect(routes.map((route) => route?.instagramUsername)).toEqual([
      'account_2_0',
      'account_4_0',
      'account_7_0',
      'account_9_0',
    ]);
    expect(await service.findForWebhook(account(ACCOUNTS + 1))).toBeNull();
  });

  it('reads the usernames of one turn, asked for by several callers, with one query', async () => {
    const stored = await connections
      .find({ instagramAccountId: { $in: [account(3), account(5)] } })
      .sort({ instagramUsername: 1 })
      .lean()
      .exec();
    const ids = stored.map((connection) => connection._id.toHexString());
    const find = jest.spyOn(connections, 'find');
    try {
      const [first, second] = await Promise.all([
        service.usernamesOf(ids.slice(0, 2)),
        service.usernamesOf([
          ...ids.slice(1),
          new Types.ObjectId().toHexString(),
        ]),
      ]);

      expect(find).toHaveBeenCalledTimes(1);
      expect([...first.values()]).toEqual(
        stored.slice(0, 2).map((connection) => connection.instagramUsername),
      );
      expect([...second.values()]).toEqual(
        stored.slice(1).map((connection) => connection.instagramUsername),
      );
    } finally {
      find.mockRestore();
    }
  });
});
