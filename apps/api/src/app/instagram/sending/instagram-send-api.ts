import type { InstagramLoginMethod } from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { MetaApiError } from '../../meta/meta-api.errors';
import { MetaGraphClient } from '../../meta/meta-graph-client';
import { AppMetrics } from '../../metrics/app-metrics';
import type { SentMessage } from '../../meta/meta-graph.types';
import type { ConnectedAccountCredentials } from '../login-methods/login-method';

export type SenderAction = 'typing_on' | 'mark_seen';

/**
 * The Send API of each login method: Instagram Login sends on graph.instagram.com (`/me/messages`)
 * with the account's Instagram token; Facebook Login on graph.facebook.com
 * (`/{page-id}/messages`) with the Page token. Callers say which; Meta's typed errors pass through.
 */
@Injectable()
export class InstagramSendApi {
  private readonly logger = new Logger(InstagramSendApi.name);

  constructor(
    private readonly meta: MetaGraphClient,
    private readonly metrics: AppMetrics,
  ) {}

  /** Sends a reply; each call's outcome is counted (by Meta's error code) and logged, never its text. */
  async sendText(
    method: InstagramLoginMethod,
    account: ConnectedAccountCredentials,
    reply: { recipientId: string; text: string; humanAgent: boolean },
  ): Promise<SentMessage> {
    try {
      const sent = await this.sendTextNow(method, account, reply);
      this.metrics.recordSend('sent');
      this.logger.log(`Reply delivered to Instagram (${method} login)`);
      return sent;
    } catch (error) {
      if (error instanceof MetaApiError)
        this.metrics.recordSend(error.kind, error.code);
      else this.metrics.recordSend('error');
      throw error;
    }
  }

  private sendTextNow(
    method: InstagramLoginMethod,
    account: ConnectedAccountCredentials,
    reply: { recipientId: string; text: string; humanAgent: boolean },
  ): Promise<SentMessage> {
    if (method === 'instagram')
      return this.meta.instagramLogin.sendMessage({
        accessToken: account.accessToken,
        recipientId: reply.recipientId,
        text: reply.text,
        humanAgent: reply.humanAgent,
      });
    return this.meta.sendMessage({
      pageAccessToken: account.accessToken,
      pageId: requirePage(account),
      recipientId: reply.recipientId,
      text: reply.text,
      humanAgent: reply.humanAgent,
    });
  }

  async senderAction(
    method: InstagramLoginMethod,
    account: ConnectedAccountCredentials,
    recipientId: string,
    action: SenderAction,
  ): Promise<void> {
    if (method === 'instagram')
      return this.meta.instagramLogin.sendSenderAction({
        accessToken: account.accessToken,
        recipientId,
        action,
      });
    return this.meta.sendSenderAction({
      pageAccessToken: account.accessToken,
      recipientId,
      action,
    });
  }
}

function requirePage(account: ConnectedAccountCredentials): string {
  if (!account.pageId)
    throw new Error('A Facebook Login connection without its Page id');
  return account.pageId;
}
