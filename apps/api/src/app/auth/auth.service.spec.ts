import { ConflictException, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Types } from 'mongoose';
import type { UserDocument } from '../users/schemas/user.schema';
import {
  type NewUser,
  normalizeEmail,
  UsersService,
} from '../users/users.service';
import { AuthService, INVALID_CREDENTIALS } from './auth.service';
import { PasswordHasher } from './password-hasher';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const EXPIRES_IN = 3600;

/** An in-memory stand-in for the users collection, with its unique email rule. */
class InMemoryUsers {
  readonly byId = new Map<string, UserDocument>();

  async create(user: NewUser): Promise<UserDocument> {
    const email = normalizeEmail(user.email);
    if ([...this.byId.values()].some((existing) => existing.email === email)) {
      throw new ConflictException('Email is already registered');
    }
    const id = new Types.ObjectId().toHexString();
    const document = {
      ...user,
      email,
      id,
      createdAt: new Date(),
      updatedAt: new Date(),
    } as unknown as UserDocument;
    this.byId.set(id, document);
    return document;
  }

  async findByEmail(email: string): Promise<UserDocument | null> {
    return (
      [...this.byId.values()].find(
        (user) => user.email === normalizeEmail(email),
      ) ?? null
    );
  }

  async findProfile(id: string): Promise<UserDocument | null> {
    return this.byId.get(id) ?? null;
  }

  toDto(user: UserDocument) {
    return UsersService.prototype.toDto.call(null, user);
  }
}

describe('AuthService', () => {
  let users: InMemoryUsers;
  let jwt: JwtService;
  let auth: AuthService;

  beforeEach(() => {
    users = new InMemoryUsers();
    jwt = new JwtService({
      secret: SECRET,
      signOptions: { algorithm: 'HS256', expiresIn: EXPIRES_IN },
    });
    auth = new AuthService(
      users as unknown as UsersService,
      new PasswordHasher(),
      jwt,
    );
  });

  const register = () =>
    auth.register({
      email: 'Ada@Example.com',
      password: 'analytical-engine',
      displayName: ' Ada ',
    });

  it('registers with a lower-cased email and trimmed name, storing only a hash', async () => {
    const { user } = await register();
    expect(user).toMatchObject({
      email: 'ada@example.com',
      displayName: 'Ada',
    });
    const stored = users.byId.get(user.id);
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain('analytical-engine');
  });

  it('issues an access token that expires after the configured time', async () => {
    const { accessToken, user } = await register();
    const claims = jwt.decode<{ sub: string; iat: number; exp: number }>(
      accessToken,
    );
    expect(claims.sub).toBe(user.id);
    expect(claims.exp - claims.iat).toBe(EXPIRES_IN);
    await expect(auth.verifyAccessToken(accessToken)).resolves.toEqual({
      id: user.id,
      email: 'ada@example.com',
      displayName: 'Ada',
    });
  });

  it('logs in with the email in any letter case', async () => {
    const { user } = await register();
    const result = await auth.login({
      email: 'ADA@example.COM',
      password: 'analytical-engine',
    });
    expect(result.user.id).toBe(user.id);
  });

  it('answers a wrong password and an unknown email with the same error', async () => {
    await register();
    const wrongPassword = await auth
      .login({ email: 'ada@example.com', password: 'difference-engine' })
      .catch((e: unknown) => e);
    const unknownEmail = await auth
      .login({ email: 'bob@example.com', password: 'analytical-engine' })
      .catch((e: unknown) => e);
    for (const error of [wrongPassword, unknownEmail]) {
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect((error as UnauthorizedException).message).toBe(
        INVALID_CREDENTIALS,
      );
    }
  });

  describe('verifyAccessToken', () => {
    it('rejects a token signed with another secret', async () => {
      const { user } = await register();
      const forged = new JwtService({
        secret: 'another-secret-that-is-long-enough-too',
      }).sign({ sub: user.id });
      await expect(auth.verifyAccessToken(forged)).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    });

    it('rejects an expired token', async () => {
      const { user } = await register();
      const expired = new JwtService({ secret: SECRET }).sign({
        sub: user.id,
        exp: Math.floor(Date.now() / 1000) - 10,
      });
      await expect(auth.verifyAccessToken(expired)).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    });

    it('refuses a token it accepted before, once the token has expired', async () => {
      const { user } = await register();
      const expiresAt = Math.floor(Date.now() / 1000) + 60;
      const shortLived = new JwtService({ secret: SECRET }).sign({
        sub: user.id,
        exp: expiresAt,
      });
      await expect(auth.verifyAccessToken(shortLived)).resolves.toMatchObject({
        id: user.id,
      });
      jest.spyOn(Date, 'now').mockReturnValue(expiresAt * 1000);
      try {
        await expect(auth.verifyAccessToken(shortLived)).rejects.toBeInstanceOf(
          UnauthorizedException,
        );
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('rejects a correctly signed token without an expiry', async () => {
      const { user } = await register();
      const endless = new JwtService({ secret: SECRET }).sign({
        sub: user.id,
      });
      await expect(auth.verifyAccessToken(endless)).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    });

    it('rejects an unsigned ("alg": "none") token', async () => {
      const { user } = await register();
      const encode = (value: object) =>
        Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, exp: 9999999999 })}.`;
      await expect(auth.verifyAccessToken(unsigned)).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    });

    it('rejects a valid token whose user no longer exists', async () => {
      const { accessToken, user } = await register();
      users.byId.delete(user.id);
      await expect(auth.verifyAccessToken(accessToken)).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    });

    it('rejects garbage', async () => {
      await expect(auth.verifyAccessToken('not.a.jwt')).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
      await expect(auth.verifyAccessToken('')).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    });
  });
});
