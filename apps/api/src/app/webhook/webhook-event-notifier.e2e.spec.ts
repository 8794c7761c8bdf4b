import type { AuthResponseDto, WebhookEventDto } from '@instantchat/contracts';
import request from 'supertest';
import { ChannelInbox } from '../chat/channels/channel-inbox.service';
import {
  BLUE_JACKET,
  CORNER_BAKERY,
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import {
  nextEvent,
  pause,
  recordEvents,
  SILENCE_MS,
  type TestSocket,
  TestSockets,
  watchInstagramEvents,
} from '../realtime/testing/socket-client';
import { inboxSettled, postWebhook } from './testing/webhook-test-kit';
import { WebhookProcessor } from './webhook-processor.service';

/** Generous: the processor runs after intake answered (a retry waits for the 5-second sweep), on a loaded machine. */
const ANNOUNCED_WITHIN_MS = 20_000;

/**
 * `instagram:event`: the owner's events page hears each delivery worked on, and only theirs; only
 * sockets that watch (`instagram:events:watch`) are sent it.
 */
describe('Webhook events announced live (e2e)', () => {
  let env: InstagramTestEnv;
  let blueOwner: AuthResponseDto;
  let cornerOwner: AuthResponseDto;
  let bystander: AuthResponseDto;
  const sockets = new TestSockets(() => env.testApp.url);
  let sequence = 0;

  /** A socket of the user's, watching as the events page does. */
  const watchingSocket = async (user: AuthResponseDto): Promise<TestSocket> => {
    const socket = await sockets.connect(user.accessToken);
    expect(await watchInstagramEvents(socket)).toEqual({
      ok: true,
      data: { watching: true },
    });
    return socket;
  };

  const message = (accountId: string, contact: string) => {
    sequence += 1;
    const mid = `mid.live-${sequence}`;
    const text = `live ${sequence}`;
    return {
      mid,
      text,
      entry: {
        id: accountId,
        time: Date.now(),
        messaging: [
          {
            sender: { id: contact },
            recipient: { id: accountId },
            timestamp: Date.now(),
            message: { mid, text },
          },
        ],
      },
    };
  };
  const post = (entries: object[]) =>
    postWebhook(
      env.testApp.http,
      JSON.stringify({ object: 'instagram', entry: entries }),
      SANDBOX_APP_SECRET,
    ).expect(200);
  const about = (mid: string) => (event: WebhookEventDto) =>
    event.items.some((item) => item.externalMessageId === mid);

  beforeAll(async () => {
    env = await startInstagramTestEnv();
    blueOwner = await env.testApp.register();
    cornerOwner = await env.testApp.register();
    bystander = await env.testApp.register();
    for (const [owner, page] of [
      [blueOwner, BLUE_JACKET],
      [cornerOwner, CORNER_BAKERY],
    ] as const) {
      const run = await env.connectInBrowser(owner, {
        method: 'facebook',
        choose: { page_id: page.pageId },
      });
      expect(run.landing.searchParams.get('status')).toBe('connected');
    }
    env.testApp.app.get(WebhookProcessor).retryDelaysMs = [20];
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    sockets.closeAll();
    await env?.close();
  });

  it('tells each owner of their own items of a delivery, as the events list shows them, and nobody else', async () => {
    const blueSocket = await watchingSocket(blueOwner);
    const cornerSocket = await watchingSocket(cornerOwner);
    const bystanderSocket = await watchingSocket(bystander);
    const bystanderHeard = recordEvents(bystanderSocket, 'instagram:event');
    const blue = message(BLUE_JACKET.accountId, '5553001');
    const corner = message(CORNER_BAKERY.accountId, '5553002');
    const blueHears = nextEvent(
      blueSocket,
      'instagram:event',
      about(blue.mid),
      ANNOUNCED_WITHIN_MS,
    );
    const cornerHears = nextEvent(
      cornerSocket,
      'instagram:event',
      about(corner.mid),
      ANNOUNCED_WITHIN_MS,
    );

    await post([blue.entry, corner.entry]);

    const [blueView, cornerView] = await Promise.all([blueHears, cornerHears]);
    expect(blueView).toMatchObject({
      status: 'processed',
      items: [
        expect.objectContaining({
          accountId: BLUE_JACKET.accountId,
          kind: 'message',
          status: 'processed',
        }),
      ],
    });
    expect(cornerView.items.map((item) => item.accountId)).toEqual([
      CORNER_BAKERY.accountId,
    ]);
    // The same view the owner's events list gives.
    await inboxSettled(env.database());
    const listed = await request(env.testApp.http)
      .get('/api/instagram/events')
      .set('Authorization', `Bearer ${blueOwner.accessToken}`)
      .expect(200);
    expect(
      (listed.body.items as WebhookEventDto[]).find(
        (event) => event.id === blueView.id,
      ),
    ).toEqual(blueView);
    await pause(SILENCE_MS);
    expect(bystanderHeard).toEqual([]);
  });

  it('tells the owner when an item is to be retried, when it failed, and again when their retry worked', async () => {
    const openThread = jest
      .spyOn(env.testApp.app.get(ChannelInbox), 'openThread')
      .mockRejectedValue(new Error('database hiccup'));
    try {
      const socket = await watchingSocket(blueOwner);
      const blue = message(BLUE_JACKET.accountId, '5553003');
      // The first pass leaves the item pending, to be retried: announced with its items (as read).
      const firstPass = nextEvent(
        socket,
        'instagram:event',
        (event) => about(blue.mid)(event) && event.status === 'pending',
        ANNOUNCED_WITHIN_MS,
      );
      const failed = nextEvent(
        socket,
        'instagram:event',
        (event) => about(blue.mid)(event) && event.status === 'failed',
        ANNOUNCED_WITHIN_MS,
      );
      await post([blue.entry]);
      expect((await firstPass).items).toEqual([
        expect.objectContaining({
          status: 'pending',
          attempts: 1,
          error: 'database hiccup',
        }),
      ]);
      const heard = await failed;
      expect(heard.items).toEqual([
        expect.objectContaining({ status: 'failed', error: 'database hiccup' }),
      ]);

      openThread.mockRestore();
      const processed = nextEvent(
        socket,
        'instagram:event',
        (event) => event.id === heard.id && event.status === 'processed',
        ANNOUNCED_WITHIN_MS,
      );
      await request(env.testApp.http)
        .post(`/api/instagram/events/${heard.id}/retry`)
        .set('Authorization', `Bearer ${blueOwner.accessToken}`)
        .expect(200);
      expect((await processed).items).toEqual([
        expect.objectContaining({ status: 'processed' }),
      ]);
    } finally {
      openThread.mockRestore();
    }
  }, 60_000);

  it('tells nobody of a delivery for an account no one connected', async () => {
    const socket = await watchingSocket(blueOwner);
    const heard = recordEvents(socket, 'instagram:event');
    await post([message('17841400000000999', '5553004').entry]);
    await inboxSettled(env.database());
    await pause(SILENCE_MS);
    expect(heard).toEqual([]);
  });

  it('tells only the sockets that watch: not the owner’s other tabs, not after they stop, not after a reconnect', async () => {
    const eventsPage = await watchingSocket(blueOwner);
    const inboxTab = await sockets.connect(blueOwner.accessToken);
    const stopped = await watchingSocket(blueOwner);
    expect(await watchInstagramEvents(stopped, { watching: false })).toEqual({
      ok: true,
      data: { watching: false },
    });
    const inboxHeard = recordEvents(inboxTab, 'instagram:event');
    const stoppedHeard = recordEvents(stopped, 'instagram:event');
    const first = message(BLUE_JACKET.accountId, '5553005');
    // The inbox tab still hears the DM itself.
    const inboxHearsDm = nextEvent(
      inboxTab,
      'message:new',
      (dm) => dm.text === first.text,
      ANNOUNCED_WITHIN_MS,
    );
    const pageHears = nextEvent(
      eventsPage,
      'instagram:event',
      about(first.mid),
      ANNOUNCED_WITHIN_MS,
    );
    await post([first.entry]);
    await Promise.all([pageHears, inboxHearsDm]);
    await inboxSettled(env.database());
    await pause(SILENCE_MS);
    expect(inboxHeard).toEqual([]);
    expect(stoppedHeard).toEqual([]);

    // A watch belongs to the connection: the page asks again after a reconnect.
    eventsPage.disconnect();
    eventsPage.connect();
    await new Promise<void>((resolve) =>
      eventsPage.once('connect', () => resolve()),
    );
    const reconnectedHeard = recordEvents(eventsPage, 'instagram:event');
    const second = message(BLUE_JACKET.accountId, '5553006');
    const inboxHearsSecond = nextEvent(
      inboxTab,
      'message:new',
      (dm) => dm.text === second.text,
      ANNOUNCED_WITHIN_MS,
    );
    await post([second.entry]);
    await inboxHearsSecond;
    await inboxSettled(env.database());
    await pause(SILENCE_MS);
    expect(reconnectedHeard).toEqual([]);
  }, 60_000);

  it('answers a watch it cannot read with a 400 and leaves the socket as it was', async () => {
    const socket = await sockets.connect(blueOwner.accessToken);
    const watching = await watchingSocket(blueOwner);
    for (const target of [socket, watching]) {
      for (const payload of [
        { watching: 'yes' },
        {},
        'true',
        { watching: true, room: 'user:someone-else' },
        { watching: false, room: 'user:someone-else' },
        { watching: 0 },
      ]) {
        const ack = await watchInstagramEvents(target, payload);
        expect(ack).toMatchObject({ ok: false, error: { statusCode: 400 } });
      }
    }
    const heard = recordEvents(socket, 'instagram:event');
    const dm = message(BLUE_JACKET.accountId, '5553007');
    // The socket that watched still does (not one of the refused payloads stopped it) …
    const watcherHears = nextEvent(
      watching,
      'instagram:event',
      about(dm.mid),
      ANNOUNCED_WITHIN_MS,
    );
    const dmArrives = nextEvent(
      socket,
      'message:new',
      (sent) => sent.text === dm.text,
      ANNOUNCED_WITHIN_MS,
    );
    await post([dm.entry]);
    await Promise.all([watcherHears, dmArrives]);
    await inboxSettled(env.database());
    await pause(SILENCE_MS);
    // … and the one that did not still does not.
    expect(heard).toEqual([]);
  });
});
