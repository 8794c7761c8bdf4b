import type {
  InstagramConnectErrorReason,
  InstagramLoginMethod,
} from '@instantchat/contracts';

/** A professional account the person granted in Meta's dialog, with the token its calls need. */
export interface AuthorizedAccount {
  instagramAccountId: string;
  username: string;
  name?: string;
  profilePictureUrl?: string;
  /** Facebook Login only. */
  pageId?: string;
  pageName?: string;
  /** The Page token (Facebook Login) or the long-lived Instagram user token (Instagram Login). */
  accessToken: string;
  /** null when the token does not expire. */
  tokenExpiresAt: Date | null;
  scopes: string[];
}

/** What the webhook and token calls need to know of a stored connection. */
export interface ConnectedAccountCredentials {
  instagramAccountId: string;
  pageId?: string;
  accessToken: string;
}

export interface RefreshedToken {
  accessToken: string;
  tokenExpiresAt: Date | null;
}

/** A failure of the connect flow the person is told about as `reason=` (Meta's own errors aside). */
export class ConnectFlowError extends Error {
  constructor(readonly reason: InstagramConnectErrorReason) {
    super(`Instagram connect failed: ${reason}`);
    this.name = ConnectFlowError.name;
  }
}

/**
 * One way to connect an Instagram professional account (Instagram Login, Facebook Login). Each
 * speaks to Meta only through `MetaGraphClient`; Meta's typed errors pass through unchanged,
 * except where a step gives them a meaning of its own (a refused code is `code_invalid`).
 */
export interface LoginMethod {
  readonly method: InstagramLoginMethod;
  /** Meta's consent dialog for this method, carrying `state`. */
  authorizationUrl(state: string): string;
  /** Trades the dialog's code for the accounts the person granted. Stores nothing. */
  authorize(code: string): Promise<AuthorizedAccount[]>;
  /** Asks Meta to deliver the account's messages to our webhook (safe to repeat). */
  subscribeWebhooks(account: ConnectedAccountCredentials): Promise<void>;
  unsubscribeWebhooks(account: ConnectedAccountCredentials): Promise<void>;
  /** Throws Meta's error if the token no longer works. */
  verifyToken(account: ConnectedAccountCredentials): Promise<void>;
  /** A fresh token for one about to expire; only methods whose tokens expire implement it. */
  refreshToken?(account: ConnectedAccountCredentials): Promise<RefreshedToken>;
}
