import type { ConversationDto } from '@instantchat/contracts';
import request from 'supertest';
import {
  type InstagramTestEnv,
  SOLO_STUDIO,
  startInstagramTestEnv,
} from '../instagram/testing/instagram-test-env';
import { inboxSettled } from './testing/webhook-test-kit';

describe('Contacts of an account connected through Instagram Login (e2e, against the Meta sandbox)', () => {
  let env: InstagramTestEnv;

  beforeAll(async () => {
    env = await startInstagramTestEnv();
  });
  afterAll(async () => {
    await env?.control('PUT', '/webhooks/callback', { url: null });
    await env?.close();
  });

  let owner: Awaited<ReturnType<InstagramTestEnv['testApp']['register']>>;

  beforeAll(async () => {
    owner = await env.testApp.register();
    const run = await env.connectInBrowser(owner, {
      method: 'instagram',
      choose: { account_id: SOLO_STUDIO.accountId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');
    await env.control('PUT', '/webhooks/callback', {
      url: `${env.testApp.url}/webhook/instagram`,
    });
  });
  afterEach(async () => {
    await env.control('DELETE', '/faults');
  });

  /** The API's log lines written since `from` (a length of env.logs taken earlier). */
  const logSince = (from: number) => env.logs.slice(from).join('\n');

  const conversationsOfOwner = async () =>
    (
      await request(env.testApp.http)
        .get('/api/conversations')
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto[];

  it('fetches the profile on graph.instagram.com with the account’s Instagram token', async () => {
    const person = await env.control('POST', '/instagram-users', {
      username: 'ines.login',
      name: 'Inès Login',
    });
    expect(person.status).toBe(201);
    const contact = (person.json as { id: string }).id;
    const logFrom = env.logs.length;

    const sent = await env.control('POST', '/events', {
      type: 'text',
      user: contact,
      account: SOLO_STUDIO.accountId,
      text: 'Hello through Instagram Login',
    });
    expect(sent.status).toBe(202);
    await env.sandbox.webhooks.whenIdle();
    await inboxSettled(env.database());

    const conversations = await conversationsOfOwner();
    expect(conversations).toHaveLength(1);
    expect(conversations[0].instagramContact).toMatchObject({
      igsid: contact,
      username: 'ines.login',
      name: 'Inès Login',
    });
    expect(conversations[0].lastMessage?.text).toBe(
      'Hello through Instagram Login',
    );
    // Nothing was refused on the way: no profile warning in the API's log.
    expect(logSince(logFrom)).not.toContain('not fetched');
  });

  it('asks Meta for a profile it could not fetch again only after a while, not on each message', async () => {
    const person = await env.control('POST', '/instagram-users', {
      username: 'otto.outage',
      name: 'Otto Outage',
    });
    const contact = (person.json as { id: string }).id;
    const logFrom = env.logs.length;
    // graph.instagram.com answers 500 to requests for this contact's profile (the client's own
    // retries of a 5xx included) until the fault is used up.
    const fault = await env.control('POST', '/faults', {
      kind: 'server_error',
      path: contact,
      times: 50,
    });
    expect(fault.status).toBe(201);
    const faultId = (fault.json as { id: number }).id;
    const faultLeft = async () =>
      (
        (await env.control('GET', '/faults')).json as {
          data: { id: number; remaining: number }[];
        }
      ).data.find((f) => f.id === faultId)?.remaining;
    const writes = async (text: string) => {
      const sent = await env.control('POST', '/events', {
        type: 'text',
        user: contact,
        account: SOLO_STUDIO.accountId,
        text,
      });
      expect(sent.status).toBe(202);
      await env.sandbox.webhooks.whenIdle();
      await inboxSettled(env.database());
    };

    await writes('First try');
    const afterFirst = await faultLeft();
    expect(afterFirst).toBeLessThan(50);
    await writes('Second try');
    await writes('Third try');

    // The first message's fetch reached Meta (and failed); the next two did not ask again.
    expect(await faultLeft()).toBe(afterFirst);
    const warnings = logSince(logFrom)
      .split('\n')
      .filter((line) => line.includes('not fetched'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('asked again after 10 min');
    // The messages themselves were stored, from a contact still without a profile.
    const conversation = (await conversationsOfOwner()).find(
      (c) => c.instagramContact?.igsid === contact,
    );
    expect(conversation?.lastMessage?.text).toBe('Third try');
    expect(conversation?.instagramContact?.username).toBeUndefined();
  });
});
