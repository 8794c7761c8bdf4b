import type {
  AuthResponseDto,
  LoginDto,
  RegisterDto,
  UserDto,
} from '@instantchat/contracts';
import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { UserDocument } from '../users/schemas/user.schema';
import { UsersService } from '../users/users.service';
import type { AuthenticatedUser } from '../core/authenticated-user';
import type { AccessTokenClaims } from './access-token-claims';
import { hasVisibleText, withoutBidiControls } from '../core/visible-text';
import { PasswordHasher } from './password-hasher';
import { assertAcceptablePassword } from './password-policy';
import { VerifiedTokens } from './verified-tokens';

export const JWT_ALGORITHM = 'HS256';
export const INVALID_CREDENTIALS = 'Invalid email or password';
/** The one answer to any access token that is not accepted, whatever the reason. */
export const INVALID_ACCESS_TOKEN = 'Invalid or expired access token';
/** Enough for every active session of a busy instance; a forgotten one is only verified again. */
const VERIFIED_TOKENS_KEPT = 10_000;

@Injectable()
export class AuthService {
  /**
   * A real hash of a random password: login with an unknown email verifies against it, so the
   * answer takes as long as for a known email and timing does not reveal who has an account.
   */
  private readonly decoyHash: Promise<string>;
  private readonly verifiedTokens = new VerifiedTokens(VERIFIED_TOKENS_KEPT);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly jwt: JwtService,
  ) {
    this.decoyHash = passwords.hash(randomUUID());
  }

  /**
   * @throws BadRequestException for a weak password or a name with nothing visible in it;
   * ConflictException when the email is taken (any letter case).
   */
  async register(dto: RegisterDto): Promise<AuthResponseDto> {
    assertAcceptablePassword(dto.password);
    const displayName = withoutBidiControls(dto.displayName);
    if (!hasVisibleText(displayName)) {
      throw new BadRequestException('displayName must not be blank');
    }
    const user = await this.users.create({
      email: dto.email,
      displayName,
      passwordHash: await this.passwords.hash(dto.password),
    });
    return this.issue(user);
  }

  /** @throws UnauthorizedException with one message for an unknown email and a wrong password alike. */
  async login(dto: LoginDto): Promise<AuthResponseDto> {
    const user = await this.users.findByEmail(dto.email);
    const matches = await this.passwords.verify(
      dto.password,
      user?.passwordHash ?? (await this.decoyHash),
    );
    if (!user || !matches) {
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    return this.issue(user);
  }

  async me(caller: AuthenticatedUser): Promise<UserDto> {
    const user = await this.users.findProfile(caller.id);
    if (!user) throw new UnauthorizedException(INVALID_ACCESS_TOKEN);
    return this.users.toDto(user);
  }

  /**
   * Checks signature, algorithm and expiry of an access token and resolves its user: the Socket.io
   * handshake's check (HTTP routes go through passport-jwt, JwtStrategy). A reconnecting client
   * presents the same token again, so verified tokens are remembered until they expire (by either
   * check: a session's sockets and requests share one verification).
   * @throws UnauthorizedException for a missing, forged, expired, never-expiring or orphaned token.
   */
  async verifyAccessToken(token: string): Promise<AuthenticatedUser> {
    const subject =
      this.verifiedTokens.subjectOf(token) ?? this.verifiedSubjectOf(token);
    return this.principalOf(subject);
  }

  /**
   * The user of `token`, whose signature, algorithm and expiry passport-jwt (JwtStrategy) just
   * checked and decoded into `claims`; the token is remembered until it expires, so the same
   * session's next requests skip the check (see `principalOfRememberedToken`).
   * @throws UnauthorizedException for claims without `exp` or `sub`, or whose user no longer exists.
   */
  async principalOfVerifiedToken(
    token: string | null,
    claims: AccessTokenClaims,
  ): Promise<AuthenticatedUser> {
    const { subject, expiresAtMs } = subjectAndExpiryOf(claims);
    if (token) this.verifiedTokens.remember(token, subject, expiresAtMs);
    return this.principalOf(subject);
  }

  /**
   * The user of a token verified earlier (HTTP or handshake) that has not expired yet, or undefined
   * when this exact token string is not remembered (it must then be verified).
   * @throws UnauthorizedException when the token's user no longer exists.
   */
  principalOfRememberedToken(
    token: string,
  ): Promise<AuthenticatedUser> | undefined {
    const subject = this.verifiedTokens.subjectOf(token);
    return subject === undefined ? undefined : this.principalOf(subject);
  }

  /** Checks signature, algorithm and expiry, and remembers the token until it expires. */
  private verifiedSubjectOf(token: string): string {
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, {
        algorithms: [JWT_ALGORITHM],
      });
    } catch {
      throw new UnauthorizedException(INVALID_ACCESS_TOKEN);
    }
    const { subject, expiresAtMs } = subjectAndExpiryOf(claims);
    this.verifiedTokens.remember(token, subject, expiresAtMs);
    return subject;
  }

  /** @throws UnauthorizedException when the token's user no longer exists. */
  private async principalOf(userId: string): Promise<AuthenticatedUser> {
    const user = await this.users.findProfile(userId);
    if (!user) throw new UnauthorizedException(INVALID_ACCESS_TOKEN);
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
    };
  }

  private async issue(user: UserDocument): Promise<AuthResponseDto> {
    const claims: AccessTokenClaims = { sub: user.id as string };
    return {
      accessToken: await this.jwt.signAsync(claims),
      user: this.users.toDto(user),
    };
  }
}

/**
 * The subject and expiry of verified claims.
 * @throws UnauthorizedException when either is missing: jsonwebtoken (and so passport-jwt) treats a
 * token without `exp` as valid forever. Every token we issue carries one, and no credential may
 * live forever, so a token without it is refused.
 */
function subjectAndExpiryOf(claims: AccessTokenClaims): {
  subject: string;
  expiresAtMs: number;
} {
  if (typeof claims?.exp !== 'number' || typeof claims.sub !== 'string') {
    throw new UnauthorizedException(INVALID_ACCESS_TOKEN);
  }
  return { subject: claims.sub, expiresAtMs: claims.exp * 1000 };
}
