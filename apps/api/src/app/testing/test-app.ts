import type { AuthResponseDto } from '@instantchat/contracts';
import { startEmbeddedMongo } from '@instantchat/mongo-embedded';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import type { EnvironmentVariables } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { withDatabaseName } from '../database/database-server';
import {
  createApp,
  type CreateAppOptions,
  type HttpApp,
} from '../../bootstrap/create-app';
import { openApiDocumentOf } from '../../bootstrap/swagger';
import { OpenApiResponseValidator } from './openapi-response-validator';
import { ResponseRecorder } from './response-recorder';

/** The JWT secret of every test app, so tests can mint expired or otherwise crafted tokens. */
export const TEST_JWT_SECRET =
  'test-jwt-secret-that-is-at-least-32-characters-long';
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: HttpApp;
  /** For supertest: `request(testApp.http)`. */
  http: Server;
  /** `http://127.0.0.1:<port>`, for socket.io-client. */
  url: string;
  /**
   * Checks every response on the API and webhook routes against the OpenAPI document; a mismatch
   * fails the test that caused it (contract-violations.setup.ts).
   */
  responses: ResponseRecorder;
  /** Registers a user (unique email by default) with TEST_PASSWORD. */
  register(email?: string, displayName?: string): Promise<AuthResponseDto>;
  close(): Promise<void>;
}

let sequence = 0;

/** A fresh email per call, unique across test files running in parallel. */
export function uniqueEmail(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}-${sequence}-${randomBytes(4).toString('hex')}@example.test`;
}

/**
 * Boots the real application exactly as main.ts does (createApp → configureApp), against a fresh
 * database on an in-memory embedded MongoDB, listening on a free port.
 */
export async function createTestApp(
  overrides: EnvironmentVariables = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const mongo =
    overrides.MONGO_URI === undefined
      ? await startEmbeddedMongo({ host: '127.0.0.1', port: 0 })
      : undefined;
  const databaseName = `test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  try {
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'error',
        JWT_SECRET: TEST_JWT_SECRET,
        TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        // Tests register many users from one address; rate-limit tests lower this explicitly.
        AUTH_RATE_LIMIT: '10000',
        MESSAGE_RATE_LIMIT: '10000',
        // Never pick up a dashboard someone happened to build.
        WEB_DIST_DIR: join(__dirname, '__no_dashboard__'),
        ...(mongo
          ? { MONGO_URI: withDatabaseName(mongo.uri, databaseName) }
          : {}),
        ...overrides,
      },
      { cwd: process.cwd() },
    );

    const app = await createApp(config, undefined, options);
    const responses = new ResponseRecorder(openApiValidatorOf(app));
    responses.attach(app.getHttpServer() as Server);
    // PORT defaults to 0 (any free port); a test that must know its URL before boot (an OAuth
    // redirect URI registered with the Meta sandbox) passes one it reserved.
    await app.listen(config.http.port, '127.0.0.1');
    const http = app.getHttpServer() as Server;
    const { port } = http.address() as AddressInfo;

    return {
      app,
      http,
      url: `http://127.0.0.1:${port}`,
      responses,
      async register(email = uniqueEmail(), displayName = email.split('@')[0]) {
        const response = await request(http)
          .post('/api/auth/register')
          .send({ email, password: TEST_PASSWORD, displayName });
        if (response.status !== 201) {
          throw new Error(
            `register ${email} failed: ${response.status} ${JSON.stringify(response.body)}`,
          );
        }
        return response.body as AuthResponseDto;
      },
      async close() {
        await app.close();
        await mongo?.stop();
      },
    };
  } catch (error) {
    await mongo?.stop();
    throw error;
  }
}

/** One validator per distinct document in this worker: compiling schemas is the costly part. */
const validators = new Map<string, OpenApiResponseValidator>();

function openApiValidatorOf(app: HttpApp): OpenApiResponseValidator {
  const document = openApiDocumentOf(app);
  const key = JSON.stringify(document);
  let validator = validators.get(key);
  if (!validator) {
    validator = new OpenApiResponseValidator(document);
    validators.set(key, validator);
  }
  return validator;
}
