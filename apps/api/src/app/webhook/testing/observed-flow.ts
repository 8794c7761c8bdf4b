import type {
  AuthResponseDto,
  ConversationDto,
  MessageStatus,
} from '@instantchat/contracts';
import { Types } from 'mongoose';
import request from 'supertest';
import {
  type InstagramTestEnv,
  SANDBOX_APP_SECRET,
} from '../../instagram/testing/instagram-test-env';
import { inboxSettled, postWebhook } from './webhook-test-kit';

/**
 * The paths observability follows, driven end to end: a contact's DM through the Meta sandbox
 * into the webhook, and an owner's reply out through the Send API, each with a request id.
 */
export class ObservedFlow {
  constructor(private readonly env: InstagramTestEnv) {}

  /**
   * The contact writes in the sandbox; its signed delivery is POSTed to the webhook as Meta
   * would, under `requestId`, and processed.
   */
  async contactWrites(
    account: string,
    contact: string,
    text: string,
    requestId: string,
  ): Promise<request.Response> {
    const written = await this.env.control('POST', '/events', {
      type: 'text',
      user: contact,
      account,
      text,
    });
    if (written.status !== 202)
      throw new Error(`The sandbox refused the DM: ${JSON.stringify(written)}`);
    const delivery = this.env.sandbox.webhooks.deliveries.at(-1);
    if (!delivery) throw new Error('The sandbox built no delivery');
    const response = await postWebhook(
      this.env.testApp.http,
      delivery.body,
      SANDBOX_APP_SECRET,
    ).set('X-Request-Id', requestId);
    await inboxSettled(this.env.database());
    return response;
  }

  /** The owner's Instagram conversation with `contact`. */
  async conversationWith(
    owner: AuthResponseDto,
    contact: string,
  ): Promise<ConversationDto> {
    const response = await request(this.env.testApp.http)
      .get('/api/conversations')
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    const found = (response.body as ConversationDto[]).find(
      (conversation) => conversation.instagramContact?.igsid === contact,
    );
    if (!found) throw new Error(`No conversation with ${contact}`);
    return found;
  }

  /** The owner replies under `requestId`; resolves once the reply is no longer pending. */
  async ownerReplies(
    owner: AuthResponseDto,
    conversationId: string,
    text: string,
    requestId: string,
  ): Promise<MessageStatus> {
    const sent = await request(this.env.testApp.http)
      .post(`/api/conversations/${conversationId}/messages`)
      .set('Authorization', `Bearer ${owner.accessToken}`)
      .set('X-Request-Id', requestId)
      .send({ text })
      .expect(201);
    const id = (sent.body as { id: string }).id;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const stored = await this.env
        .database()
        .collection('messages')
        .findOne({ _id: new Types.ObjectId(id) });
      const status = stored?.status as MessageStatus | undefined;
      if (status && status !== 'pending') return status;
      if (Date.now() > deadline)
        throw new Error(`Reply ${id} still pending after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The JSON log lines, parsed (anything else in the output fails the test that reads it). */
export function parsedLogLines(lines: readonly string[]): LogLine[] {
  return lines.map((line) => JSON.parse(line) as LogLine);
}

export interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  context?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}
