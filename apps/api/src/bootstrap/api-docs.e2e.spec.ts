import request from 'supertest';
import { createTestApp, type TestApp } from '../app/testing/test-app';

describe('API_DOCS=false (the production default) (e2e)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ API_DOCS: 'false' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(['/api/docs', '/api/docs-json', '/api/docs-yaml'])(
    'does not serve %s',
    async (path) => {
      await request(app.http).get(path).redirects(1).expect(404);
    },
  );

  it('still serves the API itself', async () => {
    await request(app.http).get('/api/health').expect(200);
  });
});
