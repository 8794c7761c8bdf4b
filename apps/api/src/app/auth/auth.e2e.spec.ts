import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { MAX_JSON_DEPTH } from '../core/json-bounds';
import {
  createTestApp,
  TEST_JWT_SECRET,
  TEST_PASSWORD,
  type TestApp,
  uniqueEmail,
} from '../testing/test-app';

describe('Auth (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const api = () => request(testApp.http);

  describe('POST /api/auth/register', () => {
    it('creates the account and signs in (201 with a token and the user, never the password)', async () => {
      const email = uniqueEmail('grace');
      const response = await api()
        .post('/api/auth/register')
        .send({ email, password: TEST_PASSWORD, displayName: 'Grace Hopper' })
        .expect(201);

      expect(response.body).toEqual({
        accessToken: expect.any(String),
        user: {
          id: expect.any(String),
          email,
          displayName: 'Grace Hopper',
          createdAt: expect.any(String),
        },
      });
      expect(JSON.stringify(response.body)).not.toContain(TEST_PASSWORD);
      expect(response.body.user).not.toHaveProperty('passwordHash');
    });

    it('stores the email lower-cased', async () => {
      const email = uniqueEmail('MiXeD');
      const { user } = await testApp.register(email);
      expect(user.email).toBe(email.toLowerCase());
    });

    it('refuses an email that is already registered, in any letter case (409)', async () => {
      const email = uniqueEmail('taken');
      await testApp.register(email);
      for (const variant of [email, email.toUpperCase()]) {
        const response = await api()
          .post('/api/auth/register')
          .send({
            email: variant,
            password: TEST_PASSWORD,
            displayName: 'Someone Else',
          })
          .expect(409);
        expect(response.body).toEqual({
          statusCode: 409,
          error: 'Conflict',
          message: 'Email is already registered',
        });
      }
    });

    it('names each invalid field (400)', async () => {
      const response = await api()
        .post('/api/auth/register')
        .send({ email: 'not-an-email', password: 'short', displayName: '' })
        .expect(400);
      expect(response.body.statusCode).toBe(400);
      expect(response.body.error).toBe('Bad Request');
      expect(response.body.message).toEqual(
        expect.arrayContaining([
          'email must be a valid email address',
          expect.stringMatching(
            /^password must be longer than or equal to 10 characters/,
          ),
          expect.stringMatching(
            /^displayName must be longer than or equal to 1 characters/,
          ),
        ]),
      );
    });

    it('refuses a blank display name (400, not 500)', async () => {
      const response = await api()
        .post('/api/auth/register')
        .send({
          email: uniqueEmail(),
          password: TEST_PASSWORD,
          displayName: '   ',
        })
        .expect(400);
      expect(response.body.message).toEqual(['displayName must not be blank']);
    });

    it('rejects a body that is not a JSON object (400)', async () => {
      await api()
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send('"just a string"')
        .expect(400);
      await api().post('/api/auth/register').send([]).expect(400);
    });

    it('rejects unknown fields instead of ignoring them (400)', async () => {
      const response = await api()
        .post('/api/auth/register')
        .send({
          email: uniqueEmail(),
          password: TEST_PASSWORD,
          displayName: 'Eve',
          isAdmin: true,
        })
        .expect(400);
      expect(response.body.message).toEqual([
        'property isAdmin should not exist',
      ]);
    });

    it('rejects a body of the wrong type (400, not 500)', async () => {
      const response = await api()
        .post('/api/auth/register')
        .send({
          email: ['a@b.co'],
          password: 12345678,
          displayName: { first: 'x' },
        })
        .expect(400);
      expect(response.body.message).toEqual(
        expect.arrayContaining([expect.stringMatching(/^email /)]),
      );
    });

    it('rejects deeply nested JSON before validation walks it (400, not 500)', async () => {
      const nested = (depth: number) =>
        `{"email":${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)},"password":"x","displayName":"x"}`;
      for (const depth of [MAX_JSON_DEPTH + 1, 10_000]) {
        const response = await api()
          .post('/api/auth/register')
          .set('Content-Type', 'application/json')
          .send(nested(depth))
          .expect(400);
        expect(response.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: 'Request body is nested too deeply',
        });
      }
      // At the limit, the body is judged by validation as usual.
      const atLimit = await api()
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send(nested(MAX_JSON_DEPTH))
        .expect(400);
      expect(atLimit.body.message).toContain(
        'email must be a valid email address',
      );
    });
  });

  describe('POST /api/auth/login', () => {
    let email: string;

    beforeAll(async () => {
      email = uniqueEmail('login');
      await testApp.register(email, 'Login Tester');
    });

    it('signs in with the right password, whatever the email case (200)', async () => {
      const response = await api()
        .post('/api/auth/login')
        .send({ email: email.toUpperCase(), password: TEST_PASSWORD })
        .expect(200);
      expect(response.body.user).toMatchObject({
        email,
        displayName: 'Login Tester',
      });
      expect(response.body.accessToken).toEqual(expect.any(String));
    });

    it('answers a wrong password and an unknown email identically (401)', async () => {
      const wrongPassword = await api()
        .post('/api/auth/login')
        .send({ email, password: 'not-the-password' })
        .expect(401);
      const unknownEmail = await api()
        .post('/api/auth/login')
        .send({ email: uniqueEmail('nobody'), password: TEST_PASSWORD })
        .expect(401);
      const expected = {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid email or password',
      };
      expect(wrongPassword.body).toEqual(expected);
      expect(unknownEmail.body).toEqual(expected);
    });

    it('validates the body (400)', async () => {
      const response = await api()
        .post('/api/auth/login')
        .send({ email })
        .expect(400);
      expect(response.body.message).toContain('password must be a string');
      for (const message of response.body.message as string[])
        expect(message).toMatch(/^password /);
    });
  });

  describe('GET /api/auth/me', () => {
    it('returns the caller for a valid token', async () => {
      const { accessToken, user } = await testApp.register(
        uniqueEmail('me'),
        'Me Myself',
      );
      const response = await api()
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${accessToken}`)
        .expect(200);
      expect(response.body).toEqual(user);
    });

    it('requires a token (401)', async () => {
      const response = await api().get('/api/auth/me').expect(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Missing bearer token',
      });
    });

    it('refuses an expired token (401)', async () => {
      const { user } = await testApp.register();
      const expired = new JwtService({ secret: TEST_JWT_SECRET }).sign({
        sub: user.id,
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      const response = await api()
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${expired}`)
        .expect(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid or expired access token',
      });
    });

    it('refuses a well-signed token that never expires (401)', async () => {
      const { user } = await testApp.register();
      const endless = new JwtService({ secret: TEST_JWT_SECRET }).sign({
        sub: user.id,
      });
      const response = await api()
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${endless}`)
        .expect(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid or expired access token',
      });
    });

    it('refuses a token signed with another secret (401)', async () => {
      const { user } = await testApp.register();
      const forged = new JwtService({
        secret: 'an-attacker-secret-that-is-long-enough',
      }).sign({ sub: user.id }, { expiresIn: 600 });
      await api()
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${forged}`)
        .expect(401);
    });

    it('refuses a tampered token (401)', async () => {
      const { accessToken } = await testApp.register();
      const other = await testApp.register();
      const [header, , signature] = accessToken.split('.');
      const payload = Buffer.from(
        JSON.stringify({ sub: other.user.id, exp: 9999999999 }),
      ).toString('base64url');
      await api()
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${header}.${payload}.${signature}`)
        .expect(401);
    });

    it('refuses a malformed Authorization header (401)', async () => {
      await api()
        .get('/api/auth/me')
        .set('Authorization', 'Bearer not-a-jwt')
        .expect(401);
      await api()
        .get('/api/auth/me')
        .set('Authorization', 'Basic dXNlcjpwYXNz')
        .expect(401);
    });
  });
});

describe('Auth rate limiting (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ AUTH_RATE_LIMIT: '3' });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('answers 429 once a client exceeds AUTH_RATE_LIMIT login attempts per minute', async () => {
    const attempt = () =>
      request(testApp.http)
        .post('/api/auth/login')
        .send({ email: uniqueEmail(), password: 'wrong-password' });
    for (let i = 0; i < 3; i += 1) {
      expect((await attempt()).status).toBe(401);
    }
    const limited = await attempt().expect(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many attempts, try again in a minute',
    });
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('limits registration too', async () => {
    const register = () =>
      request(testApp.http).post('/api/auth/register').send({
        email: uniqueEmail(),
        password: TEST_PASSWORD,
        displayName: 'R',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await register()).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('does not limit other routes', async () => {
    for (let i = 0; i < 5; i += 1) {
      await request(testApp.http).get('/api/health').expect(200);
    }
  });
});
