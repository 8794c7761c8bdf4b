import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MetaApiError, MetaTokenInvalidError } from '../meta/meta-api.errors';
import { describeFailure } from './describe-failure';
import { InstagramConnectionsService } from './instagram-connections.service';
import { LoginMethods } from './login-methods/login-methods';
import type { InstagramConnectionDocument } from './schemas/instagram-connection.schema';
import { TokenUnsealError } from './token-cipher';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Long-lived Instagram tokens last 60 days; they are refreshed in their last 10. */
export const TOKEN_REFRESH_WINDOW_MS = 10 * DAY_MS;
export const TOKEN_MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

export const REFRESH_RETRY_MESSAGE =
  'Meta did not answer while renewing this account’s access; InstantChat will try again.';

export interface TokenMaintenanceReport {
  refreshed: number;
  verified: number;
  needsReconnect: number;
  retryLater: number;
}

/**
 * Keeps connections working. Every hour it renews the tokens that expire (Instagram Login) once
 * they enter their last 10 days, and checks that every other working token is still accepted
 * (Meta revokes tokens when a password changes or the app is removed). A token Meta refuses
 * (code 190) or a refresh that fails for good flips the connection to `needs_reconnect`, which
 * the owner hears about live; a Meta outage only postpones the refresh while the token still works.
 */
@Injectable()
export class InstagramTokenRefresher
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(InstagramTokenRefresher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TokenMaintenanceReport> | undefined;

  constructor(
    private readonly connections: InstagramConnectionsService,
    private readonly loginMethods: LoginMethods,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.runOnce().catch((error: unknown) =>
        this.logger.error(
          `Token maintenance failed: ${describeFailure(error)}`,
        ),
      );
    }, TOKEN_MAINTENANCE_INTERVAL_MS);
    // A pending run must not keep a stopping process alive.
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass over every working connection; a pass already under way is joined, not doubled. */
  runOnce(): Promise<TokenMaintenanceReport> {
    this.running ??= this.maintainAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async maintainAll(): Promise<TokenMaintenanceReport> {
    const report: TokenMaintenanceReport = {
      refreshed: 0,
      verified: 0,
      needsReconnect: 0,
      retryLater: 0,
    };
    const now = Date.now();
    for await (const batch of this.connections.connectedInBatches()) {
      for (const connection of batch) {
        if (!this.loginMethods.isAvailable(connection.method)) continue;
        report[await this.maintain(connection, now)]++;
      }
    }
    return report;
  }

  private async maintain(
    connection: InstagramConnectionDocument,
    now: number,
  ): Promise<keyof TokenMaintenanceReport> {
    const loginMethod = this.loginMethods.get(connection.method);
    const expiresAt = connection.tokenExpiresAt?.getTime();
    const due =
      loginMethod.refreshToken !== undefined &&
      expiresAt !== undefined &&
      expiresAt < now + TOKEN_REFRESH_WINDOW_MS;
    try {
      const credentials = this.connections.credentialsOf(connection);
      if (due && loginMethod.refreshToken) {
        const token = await loginMethod.refreshToken(credentials);
        await this.connections.saveRefreshedToken(connection, token);
        return 'refreshed';
      }
      await loginMethod.verifyToken(credentials);
      return 'verified';
    } catch (error) {
      this.logger.warn(
        `${due ? 'Refreshing' : 'Checking'} the token of Instagram account ${connection.instagramAccountId} failed: ${describeFailure(error)}`,
      );
      if (error instanceof MetaTokenInvalidError) {
        await this.connections.markNeedsReconnect(
          connection._id,
          'token_invalid',
        );
        return 'needsReconnect';
      }
      if (error instanceof TokenUnsealError) {
        await this.connections.markNeedsReconnect(
          connection._id,
          'token_unreadable',
        );
        return 'needsReconnect';
      }
      const stillValid = expiresAt === undefined || expiresAt > now;
      const passing = error instanceof MetaApiError && error.retryable;
      if (!due || (passing && stillValid)) {
        // A check that failed for another reason than the token proves nothing; a refresh that
        // hit an outage is tried again next hour while the token still works.
        if (due)
          await this.connections.recordProblem(
            connection._id,
            REFRESH_RETRY_MESSAGE,
          );
        return 'retryLater';
      }
      await this.connections.markNeedsReconnect(
        connection._id,
        'refresh_failed',
      );
      return 'needsReconnect';
    }
  }
}
