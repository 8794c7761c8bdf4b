import { JwtService } from '@nestjs/jwt';
import { Types } from 'mongoose';
import request from 'supertest';
import { JWT_ALGORITHM } from '../auth/auth.service';
import {
  createTestApp,
  TEST_JWT_SECRET,
  type TestApp,
} from '../testing/test-app';
import { connectSocket, type TestSocket } from './testing/socket-client';

describe('Socket.io handshake (e2e)', () => {
  let app: TestApp;
  const sockets: TestSocket[] = [];
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.close());
  });

  afterAll(async () => {
    await app.close();
  });

  it('accepts a valid access token in auth.token', async () => {
    const { accessToken } = await app.register();

    const socket = await connectSocket(app.url, accessToken);
    sockets.push(socket);

    expect(socket.connected).toBe(true);
  });

  it('refuses a connection without a token', async () => {
    await expect(connectSocket(app.url)).rejects.toThrow('Unauthorized');
  });

  it('refuses a token that is not a JWT', async () => {
    await expect(connectSocket(app.url, 'not-a-jwt')).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('refuses a token signed with another secret (forged)', async () => {
    const { user } = await app.register();
    const forged = await jwt.signAsync(
      { sub: user.id },
      {
        secret: 'an-attacker-secret-that-is-also-32-chars-long',
        algorithm: JWT_ALGORITHM,
      },
    );

    await expect(connectSocket(app.url, forged)).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('refuses a correctly signed token without an expiry', async () => {
    const { user, accessToken } = await app.register();
    const forever = await jwt.signAsync(
      { sub: user.id },
      { algorithm: JWT_ALGORITHM },
    );
    await expect(connectSocket(app.url, forever)).rejects.toThrow(
      'Unauthorized',
    );
    await request(app.http)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${forever}`)
      .expect(401);
    await request(app.http)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${accessToken}`)
      .expect(200);
  });

  it('refuses an expired token', async () => {
    const { user } = await app.register();
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await jwt.signAsync(
      { sub: user.id, iat: anHourAgo - 60, exp: anHourAgo },
      { algorithm: JWT_ALGORITHM },
    );

    await expect(connectSocket(app.url, expired)).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('refuses a well-signed token that never expires (no exp)', async () => {
    const { user } = await app.register();
    const endless = await jwt.signAsync(
      { sub: user.id },
      { algorithm: JWT_ALGORITHM },
    );

    await expect(connectSocket(app.url, endless)).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('refuses a well-signed token of a user who does not exist', async () => {
    const orphan = await jwt.signAsync(
      { sub: new Types.ObjectId().toHexString() },
      { algorithm: JWT_ALGORITHM, expiresIn: 60 },
    );

    await expect(connectSocket(app.url, orphan)).rejects.toThrow(
      'Unauthorized',
    );
  });

  it('refuses an unsigned token (alg none)', async () => {
    const { user } = await app.register();
    const header = Buffer.from(
      JSON.stringify({ alg: 'none', typ: 'JWT' }),
    ).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({
        sub: user.id,
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url');

    await expect(
      connectSocket(app.url, `${header}.${claims}.`),
    ).rejects.toThrow('Unauthorized');
  });

  it('closes the connection when the token that opened it expires', async () => {
    const { user } = await app.register();
    const shortLived = await jwt.signAsync(
      { sub: user.id },
      { algorithm: JWT_ALGORITHM, expiresIn: 1 },
    );
    const socket = await connectSocket(app.url, shortLived);
    sockets.push(socket);

    const reason = await new Promise<string>((resolve) =>
      socket.once('disconnect', resolve),
    );

    expect(reason).toBe('io server disconnect');
  });
});
