import { createSecretKey } from 'node:crypto';
import { Controller, Get, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { JwtService } from '@nestjs/jwt';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { Public } from '../core/public.decorator';
import type { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { Strategy as PassportJwtStrategy } from 'passport-jwt';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';

const SECRET = 'guard-test-secret-of-at-least-32-characters';
const ADA: AuthenticatedUser = {
  id: '64b000000000000000000001',
  email: 'ada@example.com',
  displayName: 'Ada',
};

const BROKEN_LOOKUP_ID = '64b0000000000000000000ee';
const DATABASE_DOWN = new Error('connection to the database was lost');

@Controller()
class ProbeController {
  @Public()
  @Get('open')
  open() {
    return 'open';
  }

  @Get('closed')
  closed() {
    return 'closed';
  }
}

describe('JwtAuthGuard', () => {
  const jwt = new JwtService({
    secret: SECRET,
    signOptions: { expiresIn: 60 },
  });
  // The real passport strategy and AuthService, over a users collection that holds only Ada.
  const users = {
    findProfile: async (id: string) => {
      if (id === BROKEN_LOOKUP_ID) throw DATABASE_DOWN;
      return id === ADA.id ? { ...ADA, createdAt: new Date() } : null;
    },
  } as unknown as UsersService;
  const auth = new AuthService(users, new PasswordHasher(), jwt);
  const guard = new JwtAuthGuard(new Reflector(), auth);

  beforeAll(() => {
    // Registers itself with passport as 'jwt', the strategy the guard runs.
    new JwtStrategy(createSecretKey(Buffer.from(SECRET, 'utf8')), auth);
  });

  afterEach(() => jest.restoreAllMocks());

  function httpContext(
    handler: keyof ProbeController,
    headers: Record<string, string> = {},
  ) {
    const request: {
      headers: Record<string, string>;
      user?: AuthenticatedUser;
    } = { headers };
    const context = new ExecutionContextHost(
      [request, {}, () => undefined],
      ProbeController,
      ProbeController.prototype[handler],
    );
    context.setType('http');
    return { context, request };
  }

  it('lets @Public() routes through without a token', async () => {
    expect(await guard.canActivate(httpContext('open').context)).toBe(true);
  });

  it('refuses a protected route without a token', async () => {
    await expect(
      guard.canActivate(httpContext('closed').context),
    ).rejects.toThrow(new UnauthorizedException('Missing bearer token'));
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    await expect(
      guard.canActivate(
        httpContext('closed', { authorization: 'Basic dXNlcjpwYXNz' }).context,
      ),
    ).rejects.toThrow(new UnauthorizedException('Missing bearer token'));
  });

  it('accepts a valid bearer token and exposes the caller on the request', async () => {
    const { context, request } = httpContext('closed', {
      authorization: `Bearer ${jwt.sign({ sub: ADA.id })}`,
    });
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(request.user).toEqual(ADA);
  });

  it('checks a token with passport-jwt once, then recognises it (and still looks its user up)', async () => {
    const passportChecks = jest.spyOn(
      PassportJwtStrategy.prototype,
      'authenticate',
    );
    // Its own token: a token signed by another test in the same second would be the same string.
    const token = jwt.sign({ sub: ADA.id }, { jwtid: 'remembered' });
    for (let i = 0; i < 3; i += 1) {
      const { context, request } = httpContext('closed', {
        authorization: `Bearer ${token}`,
      });
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.user).toEqual(ADA);
    }
    expect(passportChecks).toHaveBeenCalledTimes(1);

    // Another token string (a character inside the signature changed) is checked again, and refused.
    const at = token.length - 10;
    const tampered = `${token.slice(0, at)}${token[at] === 'a' ? 'b' : 'a'}${token.slice(at + 1)}`;
    const { context } = httpContext('closed', {
      authorization: `Bearer ${tampered}`,
    });
    await expect(guard.canActivate(context)).rejects.toThrow(
      new UnauthorizedException('Invalid or expired access token'),
    );
    expect(passportChecks).toHaveBeenCalledTimes(2);
  });

  it('refuses an expired token', async () => {
    const expired = new JwtService({ secret: SECRET }).sign({
      sub: ADA.id,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    const { context } = httpContext('closed', {
      authorization: `Bearer ${expired}`,
    });
    await expect(guard.canActivate(context)).rejects.toThrow(
      new UnauthorizedException('Invalid or expired access token'),
    );
  });

  it('refuses a correctly signed token that never expires', async () => {
    const { context } = httpContext('closed', {
      authorization: `Bearer ${new JwtService({ secret: SECRET }).sign({ sub: ADA.id })}`,
    });
    await expect(guard.canActivate(context)).rejects.toThrow(
      new UnauthorizedException('Invalid or expired access token'),
    );
  });

  it('refuses a token signed with another secret', async () => {
    const forged = new JwtService({
      secret: 'an-attacker-secret-that-is-long-enough',
    }).sign({ sub: ADA.id }, { expiresIn: 60 });
    const { context, request } = httpContext('closed', {
      authorization: `Bearer ${forged}`,
    });
    await expect(guard.canActivate(context)).rejects.toThrow(
      new UnauthorizedException('Invalid or expired access token'),
    );
    expect(request.user).toBeUndefined();
  });

  it('refuses a token for a user that no longer exists', async () => {
    const { context } = httpContext('closed', {
      authorization: `Bearer ${jwt.sign({ sub: '64b0000000000000000000ff' })}`,
    });
    await expect(guard.canActivate(context)).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
  });

  it('passes on a failure to look the user up instead of calling the token invalid', async () => {
    const { context } = httpContext('closed', {
      authorization: `Bearer ${jwt.sign({ sub: BROKEN_LOOKUP_ID })}`,
    });
    await expect(guard.canActivate(context)).rejects.toBe(DATABASE_DOWN);
  });

  it('leaves socket handlers to the handshake check', async () => {
    const context = new ExecutionContextHost(
      [{}, {}],
      ProbeController,
      ProbeController.prototype.closed,
    );
    context.setType('ws');
    expect(await guard.canActivate(context)).toBe(true);
  });
});
