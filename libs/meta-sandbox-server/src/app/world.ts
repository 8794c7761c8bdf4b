import { INSTAGRAM_MESSAGING_WEBHOOK_FIELDS } from '@instantchat/meta-platform';
import {
  accessToken,
  authorizationCode,
  instagramAccessToken,
  numericId,
} from './ids';
import type {
  FacebookUser,
  SandboxPage,
  InstagramProfessionalAccount,
  InstagramUser,
  IssuedToken,
  TokenSelector,
  AuthorizationCode,
  StoredMessage,
  SendApiRecord,
  Fault,
  WorldSnapshot,
  InstagramTokenShape,
} from './world-model';
import {
  SEED_ACCOUNTS_WITHOUT_PAGE,
  SEED_FACEBOOK_USER,
  SEED_INSTAGRAM_USERS,
  SEED_PAGES_WITH_INSTAGRAM,
  SEED_PAGES_WITHOUT_INSTAGRAM,
} from './world-seed';

/**
 * Everything the sandbox knows, in memory: the people, Pages and Instagram accounts it plays,
 * the tokens and codes it issued, conversations (for the messaging window), and a record of what
 * the Send API was asked. `reset()` puts it back to the seed.
 */
const MAX_PERSISTED_SEND_LOG = 500;

const SHORT_LIVED_TOKEN_MS = 2 * 60 * 60 * 1000;
const LONG_LIVED_TOKEN_SECONDS = 60 * 24 * 60 * 60;
const AUTH_CODE_MS = 10 * 60 * 1000;
const INSTAGRAM_SHORT_LIVED_TOKEN_MS = 60 * 60 * 1000;

export class SandboxWorld {
  facebookUser!: FacebookUser;
  pages = new Map<string, SandboxPage>();
  instagramAccounts = new Map<string, InstagramProfessionalAccount>();
  instagramUsers = new Map<string, InstagramUser>();
  tokens = new Map<string, IssuedToken>();
  codes = new Map<string, AuthorizationCode>();
  /** pageId → subscribed webhook fields of our app. */
  subscriptions = new Map<string, string[]>();
  /** Instagram Login: account id → the fields of its `POST /me/subscribed_apps`. */
  instagramLoginSubscriptions = new Map<string, string[]>();
  /** The `instagram` object's fields chosen in the App Dashboard; both login methods need them. */
  appInstagramWebhookFields: string[] = [...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS];
  instagramTokenShape: InstagramTokenShape = 'flat';
  messages = new Map<string, StoredMessage>();
  /** `${igAccountId}:${igsid}` → epoch ms of the person's last message (opens the window). */
  lastInboundAt = new Map<string, number>();
  sendLog: SendApiRecord[] = [];
  faults: Fault[] = [];
  private clockOffsetMs = 0;
  private sequence = 0;

  constructor() {
    this.reset();
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  nextSequence(): number {
    return ++this.sequence;
  }

  reset(): void {
    this.clockOffsetMs = 0;
    this.pages.clear();
    this.instagramAccounts.clear();
    this.instagramUsers.clear();
    this.tokens.clear();
    this.codes.clear();
    this.subscriptions.clear();
    this.instagramLoginSubscriptions.clear();
    this.appInstagramWebhookFields = [...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS];
    this.instagramTokenShape = 'flat';
    this.messages.clear();
    this.lastInboundAt.clear();
    this.sendLog = [];
    this.faults = [];
    this.facebookUser = { ...SEED_FACEBOOK_USER };

    // Stable ids so fixtures, docs and manual runs line up across restarts (world-seed.ts).
    for (const { page, account } of SEED_PAGES_WITH_INSTAGRAM)
      this.addPageWithInstagram(page, account);
    for (const page of SEED_PAGES_WITHOUT_INSTAGRAM)
      this.pages.set(page.id, { ...page });
    for (const account of SEED_ACCOUNTS_WITHOUT_PAGE)
      this.addInstagramAccount(account);
    for (const user of SEED_INSTAGRAM_USERS) this.addInstagramUser(user);
  }

  private addPageWithInstagram(
    page: SandboxPage,
    account: Omit<InstagramProfessionalAccount, 'pageId' | 'profilePictureUrl'>,
  ): void {
    this.pages.set(page.id, { ...page, instagramAccountId: account.id });
    this.addInstagramAccount({ ...account, pageId: page.id });
  }

  private addInstagramAccount(
    account: Omit<InstagramProfessionalAccount, 'profilePictureUrl'>,
  ): void {
    this.instagramAccounts.set(account.id, {
      ...account,
      profilePictureUrl: `https://scontent.cdninstagram.com/v/sandbox/${account.username}.jpg`,
    });
  }

  addInstagramUser(
    input: Partial<InstagramUser> & { username: string },
  ): InstagramUser {
    const user: InstagramUser = {
      id: input.id ?? numericId(16),
      username: input.username,
      name: input.name ?? input.username,
      profilePic:
        input.profilePic ??
        `https://scontent.cdninstagram.com/v/sandbox/profile/${encodeURIComponent(input.username)}.jpg`,
      followerCount: input.followerCount ?? 120,
      isVerified: input.isVerified ?? false,
      followsBusiness: input.followsBusiness ?? true,
      available: input.available ?? true,
    };
    this.instagramUsers.set(user.id, user);
    return user;
  }

  /** Pages the sandbox's person manages that have an Instagram professional account linked. */
  pagesWithInstagram(): SandboxPage[] {
    return [...this.pages.values()].filter((p) => p.instagramAccountId);
  }

  issueCode(
    input: Omit<AuthorizationCode, 'code' | 'expiresAt' | 'used'>,
  ): AuthorizationCode {
    const code: AuthorizationCode = {
      ...input,
      code: authorizationCode(),
      expiresAt: this.now() + AUTH_CODE_MS,
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  issueUserToken(input: {
    appId: string;
    userId: string;
    pageIds: string[];
    scopes: string[];
    longLived: boolean;
  }): IssuedToken {
    const issuedAt = this.now();
    const token: IssuedToken = {
      ...input,
      value: accessToken(),
      type: 'USER',
      issuedAt,
      expiresAt:
        issuedAt +
        (input.longLived
          ? LONG_LIVED_TOKEN_SECONDS * 1000
          : SHORT_LIVED_TOKEN_MS),
      invalidated: false,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Instagram Login's `IGAA…` tokens: short-lived (1 hour) from a code, long-lived 60 days. */
  issueInstagramToken(input: {
    appId: string;
    instagramAccountId: string;
    scopes: string[];
    longLived: boolean;
  }): IssuedToken {
    const issuedAt = this.now();
    const token: IssuedToken = {
      value: instagramAccessToken(),
      type: 'INSTAGRAM',
      appId: input.appId,
      userId: input.instagramAccountId,
      pageIds: [],
      instagramAccountId: input.instagramAccountId,
      scopes: input.scopes,
      issuedAt,
      expiresAt:
        issuedAt +
        (input.longLived
          ? LONG_LIVED_TOKEN_SECONDS * 1000
          : INSTAGRAM_SHORT_LIVED_TOKEN_MS),
      invalidated: false,
      longLived: input.longLived,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Page tokens inherit the user token's lifetime; from a long-lived one they never expire. */
  issuePageToken(userToken: IssuedToken, pageId: string): IssuedToken {
    const token: IssuedToken = {
      value: accessToken(),
      type: 'PAGE',
      appId: userToken.appId,
      userId: userToken.userId,
      pageIds: [pageId],
      scopes: userToken.scopes,
      issuedAt: this.now(),
      expiresAt: userToken.longLived ? undefined : userToken.expiresAt,
      invalidated: false,
      longLived: userToken.longLived,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Expires (or invalidates) every token — or only those touching one Page. */
  expireTokens(options: {
    pageId?: string;
    reason: 'expired' | 'password_changed';
  }): number {
    let count = 0;
    for (const token of this.tokens.values()) {
      if (options.pageId && !token.pageIds.includes(options.pageId)) continue;
      if (options.reason === 'password_changed') token.invalidated = true;
      else token.expiresAt = this.now() - 1000;
      count++;
    }
    return count;
  }

  /**
   * Makes tokens older by `byMs` (issued and expiring earlier), as if that time had passed for
   * them alone: into Instagram's refresh window, or past expiry. Selects by value or account.
   */
  ageTokens(selector: TokenSelector, byMs: number): number {
    const tokens = this.selectTokens(selector);
    for (const token of tokens) {
      token.issuedAt -= byMs;
      if (token.expiresAt !== undefined) token.expiresAt -= byMs;
    }
    return tokens.length;
  }

  /** The person removed the app (or Meta revoked access): the tokens answer #190 from now on. */
  revokeTokens(selector: TokenSelector): number {
    const tokens = this.selectTokens(selector);
    for (const token of tokens) {
      token.invalidated = true;
      token.invalidatedBy = 'revoked';
    }
    return tokens.length;
  }

  private selectTokens(selector: TokenSelector): IssuedToken[] {
    return [...this.tokens.values()].filter((token) =>
      'accessToken' in selector
        ? token.value === selector.accessToken
        : token.instagramAccountId === selector.instagramAccountId,
    );
  }

  conversationKey(instagramAccountId: string, instagramUserId: string): string {
    return `${instagramAccountId}:${instagramUserId}`;
  }

  recordInbound(
    instagramAccountId: string,
    instagramUserId: string,
    at: number,
  ): void {
    this.lastInboundAt.set(
      this.conversationKey(instagramAccountId, instagramUserId),
      at,
    );
  }

  takeFault(path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0)
      this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  toSnapshot(): WorldSnapshot {
    return {
      version: 1,
      clockOffsetMs: this.clockOffsetMs,
      sequence: this.sequence,
      facebookUser: this.facebookUser,
      pages: [...this.pages.values()],
      instagramAccounts: [...this.instagramAccounts.values()],
      instagramUsers: [...this.instagramUsers.values()],
      tokens: [...this.tokens.values()],
      codes: [...this.codes.values()].filter(
        (c) => !c.used && c.expiresAt > this.now(),
      ),
      subscriptions: [...this.subscriptions.entries()],
      messages: [...this.messages.values()],
      lastInboundAt: [...this.lastInboundAt.entries()],
      sendLog: this.sendLog.slice(-MAX_PERSISTED_SEND_LOG),
      instagramLoginSubscriptions: [
        ...this.instagramLoginSubscriptions.entries(),
      ],
      appInstagramWebhookFields: this.appInstagramWebhookFields,
    };
  }

  restore(snapshot: WorldSnapshot): void {
    if (snapshot.version !== 1)
      throw new Error(
        `Unsupported sandbox state version ${String(snapshot.version)}`,
      );
    this.clockOffsetMs = snapshot.clockOffsetMs;
    this.sequence = snapshot.sequence;
    this.facebookUser = snapshot.facebookUser;
    this.pages = new Map(snapshot.pages.map((p) => [p.id, p]));
    this.instagramAccounts = new Map(
      snapshot.instagramAccounts.map((a) => [a.id, a]),
    );
    this.instagramUsers = new Map(
      snapshot.instagramUsers.map((u) => [u.id, u]),
    );
    this.tokens = new Map(snapshot.tokens.map((t) => [t.value, t]));
    this.codes = new Map(snapshot.codes.map((c) => [c.code, c]));
    this.subscriptions = new Map(snapshot.subscriptions);
    this.messages = new Map(snapshot.messages.map((m) => [m.mid, m]));
    this.lastInboundAt = new Map(snapshot.lastInboundAt);
    this.sendLog = snapshot.sendLog;
    this.instagramLoginSubscriptions = new Map(
      snapshot.instagramLoginSubscriptions ?? [],
    );
    this.appInstagramWebhookFields = snapshot.appInstagramWebhookFields ?? [
      ...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
    ];
    this.faults = [];
  }

  static readonly LONG_LIVED_TOKEN_SECONDS = LONG_LIVED_TOKEN_SECONDS;
  static readonly SHORT_LIVED_TOKEN_SECONDS = SHORT_LIVED_TOKEN_MS / 1000;
  static readonly INSTAGRAM_SHORT_LIVED_TOKEN_SECONDS =
    INSTAGRAM_SHORT_LIVED_TOKEN_MS / 1000;
}
