import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../config/load-config';
import { createApp } from '../../bootstrap/create-app';
import { TEST_PASSWORD, uniqueEmail } from '../testing/test-app';

/** The zero-configuration run: no MONGO_URI, so the API starts its own database under DATA_DIR. */
describe('embedded database (e2e)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'instantchat-data-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot() {
    const config = loadConfig(
      {
        NODE_ENV: 'development',
        LOG_LEVEL: 'error',
        DATA_DIR: dataDir,
        WEB_DIST_DIR: join(dataDir, 'no-web'),
      },
      { cwd: process.cwd() },
    );
    const app = await createApp(config);
    await app.init();
    // Fastify answers only once its plugins and hooks are loaded (listen() waits for that too).
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  it('starts an embedded server when MONGO_URI is unset and keeps data across restarts', async () => {
    const email = uniqueEmail('persisted');

    const first = await boot();
    try {
      const health = await request(first.getHttpServer())
        .get('/api/health')
        .expect(200);
      expect(health.body.database).toEqual({
        state: 'connected',
        embedded: true,
      });
      await request(first.getHttpServer())
        .post('/api/auth/register')
        .send({ email, password: TEST_PASSWORD, displayName: 'Persisted' })
        .expect(201);
    } finally {
      await first.close();
    }

    // Same DATA_DIR: same generated secrets and the same data.
    const second = await boot();
    try {
      const login = await request(second.getHttpServer())
        .post('/api/auth/login')
        .send({ email, password: TEST_PASSWORD })
        .expect(200);
      expect(login.body.user.displayName).toBe('Persisted');
    } finally {
      await second.close();
    }
  });
});
