import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { OPENAPI_PUBLIC_EXTENSION } from '../app/core/public.decorator';
import { ApiErrorResponse } from '../app/core/api-error-response';
import { METRICS_TOKEN_SCHEME } from '../app/metrics/metrics.controller';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';
const BEARER = 'bearer';

/** Serves the OpenAPI UI at /api/docs and the document at /api/docs-json. */
export function setUpSwagger(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('InstantChat API')
    .setDescription(
      'Team chat and Instagram DMs. Authenticate with `Authorization: Bearer <accessToken>` from ' +
        '`POST /api/auth/login`. Every error has the body `{ statusCode, error, message }`.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      BEARER,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'METRICS_TOKEN, for Prometheus scrapes of /metrics',
      },
      METRICS_TOKEN_SCHEME,
    )
    .build();
  const document = applyAuthentication(
    SwaggerModule.createDocument(app, config, {
      extraModels: [ApiErrorResponse],
    }),
  );
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: 'api/docs-yaml',
  });
  return document;
}

/**
 * Routes need a bearer token unless marked `@Public()` (the global JwtAuthGuard). Mirror that here
 * once, so no controller has to repeat `@ApiBearerAuth()` and the document cannot drift from the
 * guard: every protected operation gets the bearer requirement and its 401 response.
 */
export function applyAuthentication(document: OpenAPIObject): OpenAPIObject {
  const errorSchema = { $ref: `#/components/schemas/${ApiErrorResponse.name}` };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of [
      'get',
      'put',
      'post',
      'delete',
      'patch',
      'options',
      'head',
    ] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      const isPublic = extensions[OPENAPI_PUBLIC_EXTENSION] === true;
      delete extensions[OPENAPI_PUBLIC_EXTENSION];
      if (isPublic) {
        // Open to the JWT guard; a route with its own token (metrics) keeps its scheme.
        operation.security = operation.security?.length
          ? operation.security
          : [];
        continue;
      }
      operation.security = [{ [BEARER]: [] }];
      operation.responses['401'] ??= {
        description: 'Missing, invalid or expired bearer token',
        content: { 'application/json': { schema: errorSchema } },
      };
    }
  }
  return document;
}
