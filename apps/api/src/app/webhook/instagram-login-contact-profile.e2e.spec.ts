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

  it('fetches the profile on graph.instagram.com with the account’s Instagram token', async () => {
    const owner = await env.testApp.register();
    const run = await env.connectInBrowser(owner, {
      method: 'instagram',
      choose: { account_id: SOLO_STUDIO.accountId },
    });
    expect(run.landing.searchParams.get('status')).toBe('connected');
    const person = await env.control('POST', '/instagram-users', {
      username: 'ines.login',
      name: 'Inès Login',
    });
    expect(person.status).toBe(201);
    const contact = (person.json as { id: string }).id;
    await env.control('PUT', '/webhooks/callback', {
      url: `${env.testApp.url}/webhook/instagram`,
    });

    const sent = await env.control('POST', '/events', {
      type: 'text',
      user: contact,
      account: SOLO_STUDIO.accountId,
      text: 'Hello through Instagram Login',
    });
    expect(sent.status).toBe(202);
    await env.sandbox.webhooks.whenIdle();
    await inboxSettled(env.database());

    const conversations = (
      await request(env.testApp.http)
        .get('/api/conversations')
        .set('Authorization', `Bearer ${owner.accessToken}`)
        .expect(200)
    ).body as ConversationDto[];
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
    expect(env.logs.join('\n')).not.toContain('not fetched');
  });
});
