import request from 'supertest';
import {
  createTestApp,
  TEST_PASSWORD,
  type TestApp,
  uniqueEmail,
} from '../testing/test-app';

describe('Registration refuses weak passwords and invisible names (e2e)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app?.close();
  });

  function register(password: string, displayName = 'Ada') {
    return request(app.http)
      .post('/api/auth/register')
      .send({ email: uniqueEmail(), password, displayName });
  }

  it.each([
    ['12345678', 'password must be longer than or equal to 10 characters'],
    ['password', 'password must be longer than or equal to 10 characters'],
    [
      '1234567890',
      'password is one of the most commonly used passwords; choose another',
    ],
    [
      'Password123',
      'password is one of the most commonly used passwords; choose another',
    ],
    [
      ' '.repeat(10),
      'password must not be only spaces or invisible characters',
    ],
    ['\u0000'.repeat(10), 'password must not contain control characters'],
  ])(
    'refuses the password %j with a 400 saying why',
    async (password, message) => {
      const response = await register(password).expect(400);
      expect(([] as string[]).concat(response.body.message)).toContain(message);
    },
  );

  it('refuses a display name made only of zero-width characters', async () => {
    const response = await register(TEST_PASSWORD, '\u200B\u200B\u200D').expect(
      400,
    );
    expect(response.body.message).toBe('displayName must not be blank');
  });

  it('refuses a display name made only of bidi controls', async () => {
    await register(TEST_PASSWORD, '\u202E\u2066').expect(400);
  });

  it('removes bidi overrides and isolates from a display name', async () => {
    const response = await register(
      TEST_PASSWORD,
      'Mallory\u202Efdp.exe\u2069',
    ).expect(201);
    expect(response.body.user.displayName).toBe('Malloryfdp.exe');
  });
});
