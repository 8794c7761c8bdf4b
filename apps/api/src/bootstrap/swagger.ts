import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { ApiErrorResponse } from '../app/core/api-error-response';
import { METRICS_TOKEN_SCHEME } from '../app/metrics/metrics.controller';
import {
  applyAuthentication,
  applyGlobalErrorResponses,
  BEARER,
} from './swagger-responses';
import { documentContractProperties } from './swagger-contract-properties';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';

const documents = new WeakMap<INestApplication, OpenAPIObject>();

/**
 * The OpenAPI document of every route of `app`: the controllers' decorators and the contracts'
 * DTO classes (read by the swagger plugin), plus what global code does to every route. Built once
 * per app: the docs route and the e2e harness's response check share it.
 */
export function openApiDocumentOf(app: INestApplication): OpenAPIObject {
  let document = documents.get(app);
  if (!document) {
    document = buildOpenApiDocument(app);
    documents.set(app, document);
  }
  return document;
}

function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  documentContractProperties();
  const config = new DocumentBuilder()
    .setTitle('InstantChat API')
    .setDescription(
      'Team chat and Instagram DMs. Authenticate with `Authorization: Bearer <accessToken>` from ' +
        '`POST /api/auth/login`. Every error has the body `{ statusCode, error, message }` ' +
        '(`ApiErrorResponse`), also a 404 for a path or method no operation here lists.',
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
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ApiErrorResponse],
  });
  return applyGlobalErrorResponses(applyAuthentication(document));
}

/** Serves the OpenAPI UI at /api/docs and the document at /api/docs-json. */
export function setUpSwagger(app: INestApplication): OpenAPIObject {
  const document = openApiDocumentOf(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: 'api/docs-yaml',
  });
  return document;
}
