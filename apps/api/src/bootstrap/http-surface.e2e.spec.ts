import request from 'supertest';
import {
  createTestApp,
  TEST_PASSWORD,
  type TestApp,
  uniqueEmail,
} from '../app/testing/test-app';

const CLIENT_URL = 'http://dashboard.example.test';

describe('HTTP surface (e2e)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ CLIENT_URL, BODY_LIMIT: '2kb' });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const api = () => request(testApp.http);

  it('answers malformed JSON with 400 in the error shape, not 500', async () => {
    const response = await api()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.co", "password": ')
      .expect(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Request body is not valid JSON',
    });
  });

  it('answers a body over BODY_LIMIT with 413 in the error shape', async () => {
    const response = await api()
      .post('/api/auth/register')
      .send({
        email: uniqueEmail(),
        password: TEST_PASSWORD,
        displayName: 'x'.repeat(4000),
      })
      .expect(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is too large',
    });
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const response = await api().get('/api/does-not-exist').expect(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /api/does-not-exist',
    });
  });

  it('serves routes under /api only', async () => {
    await api().get('/health').expect(404);
  });

  it('allows CORS for CLIENT_URL only', async () => {
    const allowed = await api()
      .options('/api/auth/login')
      .set('Origin', CLIENT_URL)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type')
      .expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(CLIENT_URL);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers['access-control-allow-methods']).toContain('POST');
    expect(allowed.headers['access-control-allow-headers']).toBe(
      'authorization,content-type',
    );
    // A preflight never reaches the route: no body, no validation error.
    expect(allowed.text).toBe('');

    const actual = await api()
      .get('/api/health')
      .set('Origin', CLIENT_URL)
      .expect(200);
    expect(actual.headers['access-control-allow-origin']).toBe(CLIENT_URL);
    expect(actual.headers['access-control-allow-credentials']).toBe('true');
    expect(actual.headers['access-control-expose-headers']).toBe(
      'X-Request-Id',
    );
    expect(actual.headers['vary']).toContain('Origin');

    const other = await api()
      .options('/api/auth/login')
      .set('Origin', 'http://evil.example.test')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).not.toBe(
      'http://evil.example.test',
    );
  });

  it('sets security headers (helmet) and hides the framework', async () => {
    const response = await api().get('/api/health').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain(
      "default-src 'self'",
    );
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  describe('OpenAPI', () => {
    let document: {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            responses: Record<string, unknown>;
            requestBody?: unknown;
          }
        >
      >;
      components: {
        securitySchemes: Record<string, unknown>;
        schemas: Record<
          string,
          { properties?: Record<string, unknown>; required?: string[] }
        >;
      };
    };

    beforeAll(async () => {
      document = (await api().get('/api/docs-json').expect(200)).body;
    });

    it('serves the UI at /api/docs', async () => {
      const response = await api().get('/api/docs').redirects(1).expect(200);
      expect(response.text).toContain('swagger');
    });

    it('lists the endpoints', () => {
      expect(document.paths['/api/auth/register']?.['post']).toBeDefined();
      expect(document.paths['/api/auth/login']?.['post']).toBeDefined();
      expect(document.paths['/api/auth/me']?.['get']).toBeDefined();
      expect(document.paths['/api/users']?.['get']).toBeDefined();
      expect(document.paths['/api/health']?.['get']).toBeDefined();
    });

    it('declares bearer auth on protected endpoints only, with their 401', () => {
      expect(document.components.securitySchemes['bearer']).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      const me = document.paths['/api/auth/me']['get'];
      expect(me.security).toEqual([{ bearer: [] }]);
      expect(me.responses['401']).toBeDefined();
      expect(document.paths['/api/users']['get'].security).toEqual([
        { bearer: [] },
      ]);
      expect(document.paths['/api/auth/login']['post'].security).toEqual([]);
      expect(document.paths['/api/health']['get'].security).toEqual([]);
    });

    it('documents every operation with a success response and its access rule', () => {
      const publicOperations = [
        'POST /api/auth/register',
        'POST /api/auth/login',
        'GET /api/health',
        // Meta's webhook: checked by its verify token and its signature instead.
        'GET /webhook/instagram',
        'POST /webhook/instagram',
        // Meta's OAuth redirect: the single-use `state` names the user.
        'GET /api/instagram/auth/instagram/callback',
      ];
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const name = `${method.toUpperCase()} ${path}`;
          expect([
            name,
            // A redirect is the whole answer of Meta's OAuth callback.
            Object.keys(operation.responses).some(
              (status) => status.startsWith('2') || status.startsWith('3'),
            ),
          ]).toEqual([name, true]);
          const expected =
            name === 'GET /metrics'
              ? // Prometheus scrapes with METRICS_TOKEN, not a user's JWT.
                [{ metricsToken: [] }]
              : publicOperations.includes(name)
                ? []
                : [{ bearer: [] }];
          expect([name, operation.security]).toEqual([name, expected]);
        }
      }
    });

    it('spells out the allowed values of the health status', () => {
      const health =
        document.components.schemas['HealthResponse'].properties ?? {};
      expect(health['status']).toMatchObject({ enum: ['ok', 'degraded'] });
    });

    it('describes request bodies, responses and errors from the shared contracts', () => {
      const register = document.paths['/api/auth/register']['post'];
      expect(JSON.stringify(register.requestBody)).toContain(
        '#/components/schemas/RegisterDto',
      );
      expect(Object.keys(register.responses)).toEqual(
        expect.arrayContaining(['201', '400', '409', '429']),
      );
      expect(
        Object.keys(document.paths['/api/auth/login']['post'].responses),
      ).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
      expect(
        Object.keys(
          document.components.schemas['RegisterDto'].properties ?? {},
        ),
      ).toEqual(expect.arrayContaining(['email', 'password', 'displayName']));
      expect(
        Object.keys(
          document.components.schemas['AuthResponseDto'].properties ?? {},
        ),
      ).toEqual(['accessToken', 'user']);
      const errorBody = document.components.schemas['ApiErrorResponse'];
      expect(Object.keys(errorBody.properties ?? {})).toEqual([
        'statusCode',
        'error',
        'message',
        'code',
        'details',
      ]);
      // A machine-readable reason is the exception, not the rule.
      expect(errorBody.required).toEqual(['statusCode', 'error', 'message']);
    });
  });
});
