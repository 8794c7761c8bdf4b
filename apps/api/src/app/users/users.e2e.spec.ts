import type { UserDto } from '@instantchat/contracts';
import request from 'supertest';
import { createTestApp, type TestApp, uniqueEmail } from '../testing/test-app';

describe('GET /api/users (e2e)', () => {
  let testApp: TestApp;
  let token: string;
  let caller: UserDto;

  beforeAll(async () => {
    testApp = await createTestApp();
    ({ accessToken: token, user: caller } = await testApp.register(
      uniqueEmail('caller'),
      'Alice Caller',
    ));
    for (const name of [
      'Zoe Zimmer',
      'bob builder',
      'Bobby Tables',
      'Carol Danvers',
    ]) {
      await testApp.register(
        uniqueEmail(name.split(' ')[0].toLowerCase()),
        name,
      );
    }
    await testApp.register('robert@corp.example.test', 'Rob');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const search = (query?: string) =>
    request(testApp.http)
      .get('/api/users')
      .query(query === undefined ? {} : { search: query })
      .set('Authorization', `Bearer ${token}`);

  it('lists everyone but the caller, by display name, without secrets', async () => {
    const response = await search().expect(200);
    const users = response.body as UserDto[];
    expect(users.map((user) => user.id)).not.toContain(caller.id);
    expect(users.map((user) => user.displayName)).toEqual([
      'Bobby Tables',
      'Carol Danvers',
      'Rob',
      'Zoe Zimmer',
      'bob builder',
    ]);
    for (const user of users) {
      expect(Object.keys(user).sort()).toEqual([
        'createdAt',
        'displayName',
        'email',
        'id',
      ]);
    }
  });

  it('matches the start of the display name, in any letter case', async () => {
    const response = await search('BOB').expect(200);
    expect(
      (response.body as UserDto[]).map((user) => user.displayName),
    ).toEqual(['Bobby Tables', 'bob builder']);
  });

  it('matches the start of the email', async () => {
    const response = await search('robert@').expect(200);
    expect(
      (response.body as UserDto[]).map((user) => user.displayName),
    ).toEqual(['Rob']);
  });

  it('treats the search as text, not as a pattern', async () => {
    expect((await search('.*').expect(200)).body).toEqual([]);
    expect((await search('(').expect(200)).body).toEqual([]);
  });

  it('never returns the caller, even when the search matches them', async () => {
    expect((await search('Alice').expect(200)).body).toEqual([]);
  });

  it('returns at most 20 people', async () => {
    for (let i = 0; i < 21; i += 1) {
      await testApp.register(
        uniqueEmail('many'),
        `Many ${String(i).padStart(2, '0')}`,
      );
    }
    const response = await search('many').expect(200);
    expect(response.body).toHaveLength(20);
  });

  it('rejects unknown query parameters and over-long searches (400)', async () => {
    const unknown = await request(testApp.http)
      .get('/api/users?role=admin')
      .set('Authorization', `Bearer ${token}`)
      .expect(400);
    expect(unknown.body.message).toEqual(['property role should not exist']);
    await search('x'.repeat(101)).expect(400);
  });

  it('requires authentication (401)', async () => {
    await request(testApp.http).get('/api/users').expect(401);
  });
});
