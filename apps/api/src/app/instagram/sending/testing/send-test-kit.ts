import type { AuthResponseDto, MessageDto } from '@instantchat/contracts';
import { Types } from 'mongoose';
import request from 'supertest';
import { ChannelInbox } from '../../../chat/channels/channel-inbox.service';
import type { EnvironmentVariables } from '../../../config/app-config';
import { MetaGraphClient } from '../../../meta/meta-graph-client';
import { InstagramConnectionsService } from '../../instagram-connections.service';
import {
  BLUE_JACKET,
  type InstagramTestEnv,
} from '../../testing/instagram-test-env';
import { InstagramReplyQueue } from '../instagram-reply-queue';

/** The sandbox's professional account without a Page (Instagram Login only). */
export const SOLO_STUDIO = {
  accountId: '17841405822304916',
  username: 'solo.studio',
};
/** The sandbox's seeded Instagram users who write to businesses. */
export const ANNA = '1914357145407531';
export const BEN = '2045678901234567';
export const HOUR = 3_600_000;

/** Points the API's Instagram Login at the test's sandbox. */
export const instagramLoginHosts = (
  sandbox: InstagramTestEnv['sandbox'],
): EnvironmentVariables => ({
  META_IG_OAUTH_URL: sandbox.instagramOAuthUrl,
  META_IG_API_URL: sandbox.instagramApiUrl,
  META_IG_GRAPH_URL: sandbox.instagramGraphUrl,
});

/** What the sandbox's Send API recorded, as its control API lists it. */
export interface SentToMeta {
  path: string;
  instagramAccountId?: string;
  body: {
    recipient?: { id: string };
    messaging_type?: string;
    tag?: string;
    message?: { text?: string };
    sender_action?: string;
  };
  status: number;
  response: { message_id?: string; error?: { code: number } };
}

/**
 * Sets up what a reply needs, as it happens in production: an owner connects an account (through
 * Meta's dialog for Facebook Login), a contact writes to it on Instagram (the sandbox), and the
 * webhook processor records the message through Chat's ChannelInbox.
 */
export class SendTestKit {
  constructor(private readonly env: InstagramTestEnv) {}

  api() {
    return request(this.env.testApp.http);
  }

  /** Every test's fresh start: the sandbox reset, no connections, conversations or messages. */
  async startOver(): Promise<void> {
    await this.env.control('POST', '/reset');
    const db = this.env.database();
    await Promise.all(
      ['instagramusers', 'conversations', 'messages'].map((name) =>
        db.collection(name).deleteMany({}),
      ),
    );
  }

  replyQueue(): InstagramReplyQueue {
    return this.env.testApp.app.get(InstagramReplyQueue);
  }

  async connectWithFacebook(
    owner: AuthResponseDto,
    page = BLUE_JACKET,
  ): Promise<void> {
    const run = await this.env.connectInBrowser(owner, {
      method: 'facebook',
      choose: { page_id: page.pageId },
    });
    if (run.landing.searchParams.get('status') !== 'connected')
      throw new Error(`Connect failed: ${run.landing.toString()}`);
  }

  /**
   * Instagram Login through the sandbox's authorization window and token exchanges, stored as
   * the connect flow stores it (its callback is another engineer's work in progress).
   */
  async connectWithInstagramLogin(
    owner: AuthResponseDto,
    account = SOLO_STUDIO,
  ): Promise<void> {
    const app = this.env.testApp.app;
    const client = app.get(MetaGraphClient).instagramLogin;
    const dialog = new URL(client.buildAuthorizationUrl('send-kit-state'));
    // The person picks the account and allows, as in the window's form.
    const form = new URLSearchParams(dialog.searchParams);
    form.set('account_id', account.accountId);
    form.set('action', 'allow');
    const allowed = await fetch(
      `${this.env.sandbox.instagramOAuthUrl}/confirm`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        redirect: 'manual',
      },
    );
    const callback = new URL(allowed.headers.get('location') ?? '');
    const grant = await client.exchangeCode(
      callback.searchParams.get('code') ?? '',
    );
    const longLived = await client.exchangeForLongLivedToken(grant.accessToken);
    await app.get(InstagramConnectionsService).saveConnected(
      owner.user.id,
      'instagram',
      {
        instagramAccountId: account.accountId,
        username: account.username,
        accessToken: longLived.accessToken,
        tokenExpiresAt: longLived.expiresAt ?? null,
        scopes: grant.permissions,
      },
      false,
    );
  }

  /**
   * The contact writes to the account (in the sandbox, so Meta's window opens there too) and the
   * message is recorded as the webhook processor records it. `hoursAgo` moves the sandbox's clock
   * on and dates the recorded message back by as much, so both sides agree on its age.
   * @returns the conversation's id.
   */
  async contactWrites(
    owner: AuthResponseDto,
    accountId: string,
    contactIgsid: string,
    { hoursAgo = 0, text = 'Hi! Is the blue jacket in stock?' } = {},
  ): Promise<string> {
    const written = await this.env.control('POST', '/events', {
      type: 'text',
      user: contactIgsid,
      account: accountId,
      text,
    });
    if (written.status !== 202)
      throw new Error(`The sandbox refused the DM: ${JSON.stringify(written)}`);
    const mid = (written.json as { events: { mid: string }[] }).events[0].mid;
    if (hoursAgo > 0)
      await this.env.control('POST', '/clock', { advanceMs: hoursAgo * HOUR });

    const connection = await this.env
      .database()
      .collection('instagramusers')
      .findOne({ instagramAccountId: accountId, userId: { $exists: true } });
    if (!connection) throw new Error(`${accountId} is not connected`);
    const inbox = this.env.testApp.app.get(ChannelInbox);
    const thread = await inbox.openThread({
      kind: 'instagram',
      participantIds: [owner.user.id],
      instagram: {
        connectionId: connection._id.toHexString(),
        accountId,
        contactIgsid,
      },
    });
    await inbox.recordInbound({
      conversationId: thread.id,
      externalMessageId: mid,
      externalSenderId: contactIgsid,
      text,
      sentAt: new Date(Date.now() - hoursAgo * HOUR),
    });
    return thread.id;
  }

  /** An owner with Blue Jacket connected (Facebook Login) and a thread Anna opened. */
  async ownerWithThread(): Promise<{
    owner: AuthResponseDto;
    conversationId: string;
  }> {
    const owner = await this.env.testApp.register();
    await this.connectWithFacebook(owner);
    const conversationId = await this.contactWrites(
      owner,
      BLUE_JACKET.accountId,
      ANNA,
    );
    return { owner, conversationId };
  }

  /** The next Send API calls answer with this fault (the sandbox's `POST /_sandbox/faults`). */
  async fault(body: object): Promise<void> {
    const added = await this.env.control('POST', '/faults', {
      path: '/messages',
      ...body,
    });
    if (added.status !== 201)
      throw new Error(
        `The sandbox refused the fault: ${JSON.stringify(added)}`,
      );
  }

  reply(owner: AuthResponseDto, conversationId: string, body: object) {
    return this.api()
      .post(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .send(body);
  }

  sendMessage(owner: AuthResponseDto, body: object) {
    return this.api()
      .post('/api/instagram/sendMessage')
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .send(body);
  }

  async sentToMeta(recipient: string): Promise<SentToMeta[]> {
    const { json } = await this.env.control(
      'GET',
      `/sent-messages?recipient=${recipient}`,
    );
    return (json as { data: SentToMeta[] }).data;
  }

  /** The messages Meta was asked to deliver (sender actions left out). */
  async messagesSentToMeta(recipient: string): Promise<SentToMeta[]> {
    return (await this.sentToMeta(recipient)).filter(
      (sent) => sent.body.sender_action === undefined,
    );
  }

  /**
   * What the contact's thread on Instagram holds from the business: what they actually received.
   * (Requests refused by an injected fault never reach the Send API's own log.)
   */
  async receivedBy(accountId: string, contact: string): Promise<string[]> {
    const { json } = await this.env.control(
      'GET',
      `/conversations/${accountId}/${contact}`,
    );
    return (json as { data: { direction: string; text?: string }[] }).data
      .filter((message) => message.direction === 'outbound')
      .map((message) => message.text ?? '');
  }

  /** How many more requests the injected faults will answer. */
  async faultsLeft(): Promise<number> {
    const { json } = await this.env.control('GET', '/faults');
    return (json as { data: { remaining: number }[] }).data.reduce(
      (sum, fault) => sum + fault.remaining,
      0,
    );
  }

  async history(
    owner: AuthResponseDto,
    conversationId: string,
  ): Promise<MessageDto[]> {
    const response = await this.api()
      .get(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    return (response.body as { items: MessageDto[] }).items;
  }

  storedMessage(id: string) {
    return this.env
      .database()
      .collection('messages')
      .findOne({ _id: new Types.ObjectId(id) });
  }

  connectionOf(accountId: string) {
    return this.env
      .database()
      .collection('instagramusers')
      .findOne({ instagramAccountId: accountId });
  }
}
