import { createSecretKey } from 'node:crypto';
import { UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import passport from 'passport';
import type { AuthenticatedUser } from '../core/authenticated-user';
import type { UsersService } from '../users/users.service';
import { AuthService, INVALID_ACCESS_TOKEN } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';

const SECRET = 'strategy-test-secret-of-at-least-32-characters';
const ADA: AuthenticatedUser = {
  id: '64b000000000000000000001',
  email: 'ada@example.com',
  displayName: 'Ada',
};

interface PassportOutcome {
  error: unknown;
  user: AuthenticatedUser | false;
  /** passport-jwt's reason when it refused the token itself. */
  info: unknown;
}

describe('JwtStrategy (passport-jwt)', () => {
  const signer = new JwtService({ secret: SECRET });
  const now = () => Math.floor(Date.now() / 1000);
  let profileLookups: string[];

  beforeAll(() => {
    // The real AuthService over a users collection that holds only Ada, recording every lookup.
    const users = {
      findProfile: async (id: string) => {
        profileLookups.push(id);
        return id === ADA.id ? { ...ADA, createdAt: new Date() } : null;
      },
    } as unknown as UsersService;
    // Registers itself with passport as 'jwt', the way AuthModule does.
    new JwtStrategy(
      createSecretKey(Buffer.from(SECRET, 'utf8')),
      new AuthService(users, new PasswordHasher(), signer),
    );
  });

  beforeEach(() => {
    profileLookups = [];
  });

  /** Runs a request through passport exactly as JwtAuthGuard (AuthGuard('jwt')) does. */
  function authenticate(authorization: string): Promise<PassportOutcome> {
    return new Promise((resolve, reject) => {
      passport.authenticate(
        'jwt',
        { session: false },
        (error: unknown, user: AuthenticatedUser | false, info: unknown) =>
          resolve({ error, user, info }),
      )({ headers: { authorization } }, {}, reject);
    });
  }

  it('accepts a token signed with the key and resolves its user', async () => {
    const token = signer.sign({ sub: ADA.id }, { expiresIn: 60 });
    const outcome = await authenticate(`Bearer ${token}`);
    expect(outcome).toEqual({ error: null, user: ADA, info: undefined });
    expect(profileLookups).toEqual([ADA.id]);
  });

  it('refuses a correctly signed token without `exp`, which passport-jwt alone would accept', async () => {
    const endless = signer.sign({ sub: ADA.id });
    const outcome = await authenticate(`Bearer ${endless}`);
    expect(outcome.user).toBeFalsy();
    expect(outcome.error).toEqual(
      new UnauthorizedException(INVALID_ACCESS_TOKEN),
    );
    expect(profileLookups).toEqual([]);
  });

  it('refuses a correctly signed, unexpired token without `sub`', async () => {
    const anonymous = signer.sign({ exp: now() + 60 });
    const outcome = await authenticate(`Bearer ${anonymous}`);
    expect(outcome.user).toBeFalsy();
    expect(outcome.error).toEqual(
      new UnauthorizedException(INVALID_ACCESS_TOKEN),
    );
  });

  it('refuses a token signed with another secret before looking anyone up', async () => {
    const forged = new JwtService({
      secret: 'an-attacker-secret-that-is-long-enough',
    }).sign({ sub: ADA.id }, { expiresIn: 60 });
    const outcome = await authenticate(`Bearer ${forged}`);
    expect(outcome.error).toBeNull();
    expect(outcome.user).toBe(false);
    expect(outcome.info).toMatchObject({ message: 'invalid signature' });
    expect(profileLookups).toEqual([]);
  });

  it('refuses an expired token', async () => {
    const expired = signer.sign({ sub: ADA.id, exp: now() - 5 });
    const outcome = await authenticate(`Bearer ${expired}`);
    expect(outcome.user).toBe(false);
    expect(outcome.info).toMatchObject({ message: 'jwt expired' });
    expect(profileLookups).toEqual([]);
  });

  it('refuses the right secret under another algorithm than HS256', async () => {
    const otherAlgorithm = signer.sign(
      { sub: ADA.id },
      { expiresIn: 60, algorithm: 'HS512' },
    );
    const outcome = await authenticate(`Bearer ${otherAlgorithm}`);
    expect(outcome.user).toBe(false);
    expect(outcome.info).toMatchObject({ message: 'invalid algorithm' });
  });

  it('refuses an unsigned ("alg": "none") token', async () => {
    const encode = (part: object) =>
      Buffer.from(JSON.stringify(part)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: ADA.id, exp: now() + 60 })}.`;
    const outcome = await authenticate(`Bearer ${unsigned}`);
    expect(outcome.user).toBe(false);
    expect(profileLookups).toEqual([]);
  });

  it('refuses a token for a user that no longer exists', async () => {
    const orphaned = signer.sign(
      { sub: '64b0000000000000000000ff' },
      { expiresIn: 60 },
    );
    const outcome = await authenticate(`Bearer ${orphaned}`);
    expect(outcome.user).toBeFalsy();
    expect(outcome.error).toEqual(
      new UnauthorizedException(INVALID_ACCESS_TOKEN),
    );
  });
});
