import { Injectable } from '@nestjs/common';
import { MetaRequestError } from '../../meta/meta-api.errors';
import { MetaGraphClient } from '../../meta/meta-graph-client';
import {
  type AuthorizedAccount,
  type ConnectedAccountCredentials,
  ConnectFlowError,
  type LoginMethod,
} from './login-method';

/**
 * Facebook Login for Business: the person grants Pages; each Page's linked Instagram professional
 * account is connected with that Page's token (from a long-lived user token, so it does not
 * expire), and the Page is subscribed to our webhook.
 */
@Injectable()
export class FacebookLogin implements LoginMethod {
  readonly method = 'facebook' as const;

  constructor(private readonly meta: MetaGraphClient) {}

  authorizationUrl(state: string): string {
    return this.meta.buildAuthorizationUrl(state);
  }

  async authorize(code: string): Promise<AuthorizedAccount[]> {
    const shortLived = await this.meta
      .exchangeCodeForToken(code)
      .catch((error: unknown) => {
        throw error instanceof MetaRequestError
          ? new ConnectFlowError('code_invalid')
          : error;
      });
    const userToken = await this.meta.exchangeForLongLivedToken(
      shortLived.accessToken,
    );
    const [tokenInfo, pages] = await Promise.all([
      this.meta.debugToken(userToken.accessToken),
      this.meta.listPages(userToken.accessToken),
    ]);

    const accounts: AuthorizedAccount[] = [];
    for (const page of pages) {
      const account = await this.meta.getPageInstagramAccount(
        page.id,
        page.accessToken,
      );
      if (!account) continue;
      accounts.push({
        instagramAccountId: account.id,
        username: account.username ?? account.id,
        name: account.name,
        profilePictureUrl: account.profilePictureUrl,
        pageId: page.id,
        pageName: page.name,
        accessToken: page.accessToken,
        tokenExpiresAt: null,
        scopes: tokenInfo.scopes,
      });
    }
    if (accounts.length === 0) throw new ConnectFlowError('no_page');
    return accounts;
  }

  async subscribeWebhooks(account: ConnectedAccountCredentials): Promise<void> {
    await this.meta.subscribePageToWebhooks(
      requirePage(account),
      account.accessToken,
    );
  }

  async unsubscribeWebhooks(
    account: ConnectedAccountCredentials,
  ): Promise<void> {
    await this.meta.unsubscribePageFromWebhooks(
      requirePage(account),
      account.accessToken,
    );
  }

  async verifyToken(account: ConnectedAccountCredentials): Promise<void> {
    await this.meta.getPageWebhookSubscriptions(
      requirePage(account),
      account.accessToken,
    );
  }
}

function requirePage(account: ConnectedAccountCredentials): string {
  if (!account.pageId)
    throw new Error('A Facebook Login connection without its Page id');
  return account.pageId;
}
