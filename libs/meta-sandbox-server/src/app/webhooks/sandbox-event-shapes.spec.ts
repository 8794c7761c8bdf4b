import { startMetaSandbox, type MetaSandbox } from '../sandbox';
import {
  graphCaller,
  httpJson,
  subscribePage,
} from '../../testing/sandbox-client';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../testing/webhook-receiver';

const APP_SECRET = 'event-shapes-secret';
const PAGE = '109876543210001';
const ACCOUNT = '17841405822304914';
const ANNA = '1914357145407531';

/**
 * The control API's events in the shapes Meta really sends (new attachment types, referrals,
 * forms), refused with a clear 400 when asked for something Meta would not send, and delivered
 * on the standby channel only to an app that chose the `standby` field.
 */
describe('sandbox events in every shape Meta sends', () => {
  let sandbox: MetaSandbox;
  let receiver: WebhookReceiver;
  const control = (method: string, path: string, body?: unknown) =>
    httpJson(`${sandbox.url}/_sandbox${path}`, { method, body });
  const events = (list: Record<string, unknown>[], extra = {}) =>
    control('POST', '/events', {
      events: list.map((e) => ({ user: ANNA, account: ACCOUNT, ...e })),
      ...extra,
    });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startMetaSandbox({
      appId: 'event-shapes-app',
      appSecret: APP_SECRET,
      redirectUris: [],
      webhookUrl: receiver.url,
    });
  });
  afterAll(async () => {
    await sandbox.stop();
    await receiver.stop();
  });
  beforeEach(async () => {
    await control('POST', '/reset');
    receiver.received.length = 0;
    await subscribePage(
      sandbox.url,
      graphCaller(sandbox.graphUrl, APP_SECRET),
      PAGE,
      'messages',
    );
  });

  it('builds several attachments in one message, each on Meta’s CDN', async () => {
    const sent = await events([
      { type: 'attachments', attachments: ['image', 'ig_post', 'ig_story'] },
    ]);
    expect(sent.status).toBe(202);
    const { message } = sent.json.events[0].event;
    expect(message.attachments.map((a: { type: string }) => a.type)).toEqual([
      'image',
      'ig_post',
      'ig_story',
    ]);
    expect(message.attachments[1].payload).toEqual({
      ig_post_media_id: expect.stringMatching(/^\d{17}$/),
      title: 'Sandbox post',
      url: expect.stringContaining('lookaside.fbsbx.com/ig_messaging_cdn/'),
    });
  });

  it('echoes a story mention as the business’s message with its attachment and no text', async () => {
    const sent = await events([
      { type: 'echo', attachments: ['story_mention'] },
    ]);
    const event = sent.json.events[0].event;
    expect(event.sender).toEqual({ id: ACCOUNT });
    expect(event.recipient).toEqual({ id: ANNA });
    expect(event.message).toEqual({
      mid: expect.stringMatching(/^aWdf/),
      attachments: [
        { type: 'story_mention', payload: { url: expect.any(String) } },
      ],
      is_echo: true,
    });
  });

  it('sends ig.me link referrals without an ad, and ad referrals with one', async () => {
    const sent = await events([
      { type: 'referral', source: 'SHORTLINK', ref: 'bio' },
      { type: 'referral', source: 'ADS', ref: 'spring' },
    ]);
    const [link, ad] = sent.json.events.map(
      (e: { event: { referral: unknown } }) => e.event.referral,
    );
    expect(link).toEqual({
      ref: 'bio',
      source: 'SHORTLINK',
      type: 'OPEN_THREAD',
    });
    expect(ad).toMatchObject({
      ref: 'spring',
      source: 'ADS',
      type: 'OPEN_THREAD',
      ad_id: expect.stringMatching(/^\d+$/),
    });
  });

  it.each([
    [{ type: 'attachments' }, 'attachments is required'],
    [{ type: 'attachments', attachments: [] }, 'attachments must list'],
    [{ type: 'attachments', attachments: ['gif'] }, 'attachments must list'],
    [
      { type: 'referral', source: 'TV' },
      'source must be one of ADS, SHORTLINK',
    ],
    [
      { type: 'edit', numEditAsString: 'yes' },
      'numEditAsString must be a boolean',
    ],
    [{ type: 'echo' }, 'text is required for a echo event'],
  ])('refuses %j with a 400 that says why', async (event, why) => {
    const sent = await events([event]);
    expect(sent.status).toBe(400);
    expect(sent.json.message).toContain(why);
  });

  it('refuses an unknown delivery form', async () => {
    const sent = await events([{ type: 'text', text: 'hi' }], {
      delivery: 'carrier-pigeon',
    });
    expect(sent.status).toBe(400);
    expect(sent.json.message).toBe(
      'delivery must be one of messaging, standby, changes',
    );
  });

  it('delivers on the standby channel only when the app chose the standby field', async () => {
    const skipped = await events([{ type: 'text', text: 'hi' }], {
      delivery: 'standby',
    });
    expect(skipped.json.deliveries).toEqual([
      expect.objectContaining({
        state: 'skipped',
        reason: expect.stringContaining('do not include standby'),
      }),
    ]);
    await control('PUT', '/webhooks/instagram-fields', {
      fields: ['messages', 'standby'],
    });
    await events([{ type: 'text', text: 'hi' }], { delivery: 'standby' });
    await sandbox.webhooks.whenIdle();
    const body = JSON.parse(receiver.received.at(-1)?.body ?? '{}');
    expect(body.entry[0].standby[0].message.text).toBe('hi');
    expect(body.entry[0].messaging).toBeUndefined();
  });
});
