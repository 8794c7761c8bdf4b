import type {
  InstagramConnectErrorReason,
  InstagramLoginMethod,
} from '@instantchat/contracts';
import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import {
  MetaApiError,
  MetaRateLimitedError,
  MetaTransientError,
} from '../meta/meta-api.errors';
import { describeFailure } from './describe-failure';
import { InstagramConnectionsService } from './instagram-connections.service';
import {
  type AuthorizedAccount,
  ConnectFlowError,
} from './login-methods/login-method';
import { LoginMethods } from './login-methods/login-methods';
import {
  OAuthStateRejectedError,
  OAuthStateService,
} from './oauth-state.service';

/** What Meta's redirect brought back to the callback (query parameters, unvalidated). */
export interface OAuthCallbackParams {
  code?: string;
  state?: string;
  /** Set by Meta instead of `code` when the person cancelled (`access_denied`). */
  error?: string;
  /** From the browser's cookie: the flow completes only in the browser that started it. */
  browserKey?: string;
}

export type ConnectOutcome =
  | { status: 'connected'; username: string }
  | { status: 'error'; reason: InstagramConnectErrorReason };

/**
 * The connect flow: hands out the consent URL with a fresh state, then turns Meta's callback into
 * stored connections, whichever login method the state names. It stores nothing until every Meta
 * call has succeeded, so a flow that fails half-way can simply be started again.
 */
@Injectable()
export class InstagramConnectService {
  private readonly logger = new Logger(InstagramConnectService.name);

  constructor(
    private readonly states: OAuthStateService,
    private readonly loginMethods: LoginMethods,
    private readonly connections: InstagramConnectionsService,
  ) {}

  /** Meta's consent URL for `method`, or for the server's default method when none is named. */
  async startAuthorization(
    userId: string,
    requested: InstagramLoginMethod | undefined,
    browserKey: string,
  ): Promise<string> {
    const method = requested ?? this.loginMethods.names[0];
    if (method === undefined || !this.loginMethods.isAvailable(method))
      throw new BadRequestException(
        `method ${requested} is not enabled on this server (enabled: ${this.loginMethods.names.join(', ') || 'none'})`,
      );
    const state = await this.states.issue(userId, method, browserKey);
    return this.loginMethods.get(method).authorizationUrl(state);
  }

  /** Never throws for anything Meta or the browser sent: every failure becomes a reason. */
  async handleOAuthCallback(
    params: OAuthCallbackParams,
  ): Promise<ConnectOutcome> {
    let userId: string | undefined;
    let method: InstagramLoginMethod | undefined;
    try {
      ({ userId, method } = await this.states.burn(
        params.state,
        params.browserKey,
      ));
      if (params.error !== undefined) {
        throw new ConnectFlowError(
          params.error === 'access_denied' ? 'denied' : 'meta_error',
        );
      }
      if (!params.code) throw new ConnectFlowError('code_invalid');
      const connected = await this.connect(userId, method, params.code);
      this.logger.log(
        `User ${userId} connected Instagram ${connected.map((a) => `@${a.username}`).join(', ')} (${method} login)`,
      );
      return { status: 'connected', username: connected[0].username };
    } catch (error) {
      const reason = reasonFor(error);
      if (reason === undefined) throw error;
      this.logger.warn(
        `Instagram connect failed for ${userId ? `user ${userId}` : 'an unknown caller'}${method ? ` (${method} login)` : ''}: ${reason}${error instanceof MetaApiError ? ` — ${describeFailure(error)}` : ''}`,
      );
      return { status: 'error', reason };
    }
  }

  private async connect(
    userId: string,
    method: InstagramLoginMethod,
    code: string,
  ): Promise<AuthorizedAccount[]> {
    // The state outlived a configuration change that turned its method off.
    if (!this.loginMethods.isAvailable(method))
      throw new ConnectFlowError('meta_error');
    const loginMethod = this.loginMethods.get(method);
    const granted = await loginMethod.authorize(code);
    const free: AuthorizedAccount[] = [];
    for (const account of granted) {
      if (
        !(await this.connections.isHeldByAnotherUser(
          account.instagramAccountId,
          userId,
        ))
      )
        free.push(account);
    }
    if (free.length === 0) throw new ConnectFlowError('already_connected');

    for (const account of free) await loginMethod.subscribeWebhooks(account);
    for (const account of free)
      await this.connections.saveConnected(userId, method, account, true);
    return free;
  }
}

function reasonFor(error: unknown): InstagramConnectErrorReason | undefined {
  if (error instanceof OAuthStateRejectedError) return error.reason;
  if (error instanceof ConnectFlowError) return error.reason;
  if (
    error instanceof MetaTransientError ||
    error instanceof MetaRateLimitedError
  )
    return 'meta_unavailable';
  if (error instanceof MetaApiError) return 'meta_error';
  return undefined;
}
