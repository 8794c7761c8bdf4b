import { Injectable } from '@nestjs/common';
import { MetaRequestError } from '../../meta/meta-api.errors';
import { MetaGraphClient } from '../../meta/meta-graph-client';
import {
  type AuthorizedAccount,
  type ConnectedAccountCredentials,
  ConnectFlowError,
  type LoginMethod,
  type RefreshedToken,
} from './login-method';

/**
 * Instagram API with Instagram Login (the default; no Facebook Page): the person logs in to
 * Instagram and allows one professional account; its one-hour token is traded at once for a
 * 60-day one (refreshed by the token upkeep), and the account is subscribed to our webhook with
 * `me/subscribed_apps`. The account is keyed by `user_id`, as webhooks' `entry[].id` carry it.
 */
@Injectable()
export class InstagramLogin implements LoginMethod {
  readonly method = 'instagram' as const;

  constructor(private readonly meta: MetaGraphClient) {}

  authorizationUrl(state: string): string {
    return this.meta.instagramLogin.buildAuthorizationUrl(state);
  }

  async authorize(code: string): Promise<AuthorizedAccount[]> {
    const client = this.meta.instagramLogin;
    const grant = await client.exchangeCode(code).catch((error: unknown) => {
      throw error instanceof MetaRequestError
        ? new ConnectFlowError('code_invalid')
        : error;
    });
    const token = await client.exchangeForLongLivedToken(grant.accessToken);
    const account = await client
      .getAccount(token.accessToken)
      .catch((error: unknown) => {
        // Business Login admits professional accounts only; an account Instagram cannot describe
        // as one (no `user_id`) is not something InstantChat can serve.
        throw error instanceof MetaRequestError
          ? new ConnectFlowError('no_professional_account')
          : error;
      });
    return [
      {
        instagramAccountId: account.userId,
        username: account.username ?? account.userId,
        name: account.name,
        profilePictureUrl: account.profilePictureUrl,
        accessToken: token.accessToken,
        tokenExpiresAt: token.expiresAt ?? null,
        scopes: grant.permissions,
      },
    ];
  }

  async subscribeWebhooks(account: ConnectedAccountCredentials): Promise<void> {
    await this.meta.instagramLogin.subscribeToWebhooks(account.accessToken);
  }

  async unsubscribeWebhooks(
    account: ConnectedAccountCredentials,
  ): Promise<void> {
    await this.meta.instagramLogin.unsubscribeFromWebhooks(account.accessToken);
  }

  async verifyToken(account: ConnectedAccountCredentials): Promise<void> {
    await this.meta.instagramLogin.getAccount(account.accessToken);
  }

  async refreshToken(
    account: ConnectedAccountCredentials,
  ): Promise<RefreshedToken> {
    const token = await this.meta.instagramLogin.refreshLongLivedToken(
      account.accessToken,
    );
    return {
      accessToken: token.accessToken,
      tokenExpiresAt: token.expiresAt ?? null,
    };
  }
}
