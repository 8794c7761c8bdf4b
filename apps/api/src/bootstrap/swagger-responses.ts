import type { OpenAPIObject } from '@nestjs/swagger';
import { ApiErrorResponse } from '../app/core/api-error-response';
import { OPENAPI_PUBLIC_EXTENSION } from '../app/core/public.decorator';
import { INSTAGRAM_WEBHOOK_PATH } from '../app/webhook/instagram-webhook.controller';

export const BEARER = 'bearer';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = NonNullable<
  Exclude<OperationObject['responses'][string], { $ref: string }>
>;
type MediaSchema = NonNullable<
  NonNullable<ResponseObject['content']>[string]['schema']
>;
type ReferenceObject = Extract<MediaSchema, { $ref: string }>;

const HTTP_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'patch',
  'options',
  'head',
] as const;

const ERROR_SCHEMA: ReferenceObject = {
  $ref: `#/components/schemas/${ApiErrorResponse.name}`,
};

/**
 * What configureApp's body parsers answer on any route a body is sent to, whether or not the
 * operation takes one (they run before routing). Meta's webhook keeps its raw bytes: only the
 * size is checked there.
 */
const BODY_TOO_LARGE = 'The body is larger than BODY_LIMIT (the webhook: 8 MB)';
const BODY_INVALID =
  'Malformed JSON, a body nested too deeply or holding a key such as `constructor`, or input ' +
  'that fails validation (one message per field)';
const UNAVAILABLE =
  'The database is unreachable, or this server is shutting down: try again shortly';

function operationsOf(
  document: OpenAPIObject,
): Array<{ path: string; operation: OperationObject }> {
  return Object.entries(document.paths).flatMap(([path, pathItem]) =>
    HTTP_METHODS.map((method) => pathItem[method])
      .filter(
        (operation): operation is OperationObject => operation !== undefined,
      )
      .map((operation) => ({ path, operation })),
  );
}

function errorResponse(description: string): ResponseObject {
  return {
    description,
    content: { 'application/json': { schema: ERROR_SCHEMA } },
  };
}

/**
 * Routes need a bearer token unless marked `@Public()` (the global JwtAuthGuard). Mirror that here
 * once, so no controller has to repeat `@ApiBearerAuth()` and the document cannot drift from the
 * guard: every protected operation gets the bearer requirement and its 401 response.
 */
export function applyAuthentication(document: OpenAPIObject): OpenAPIObject {
  for (const { operation } of operationsOf(document)) {
    const extensions = operation as unknown as Record<string, unknown>;
    const isPublic = extensions[OPENAPI_PUBLIC_EXTENSION] === true;
    delete extensions[OPENAPI_PUBLIC_EXTENSION];
    if (isPublic) {
      // Open to the JWT guard; a route with its own token (metrics) keeps its scheme.
      operation.security = operation.security?.length ? operation.security : [];
      continue;
    }
    operation.security = [{ [BEARER]: [] }];
    operation.responses['401'] ??= errorResponse(
      'Missing, invalid or expired bearer token',
    );
  }
  return document;
}

/**
 * The errors global code answers on every route, listed on every operation so a generated client
 * knows their body: the JSON body checks (400, 413), and 503 from the database filter and the
 * shutdown guard. An operation that documents its own 503 body (health) may also answer the error
 * body. Descriptions an operation gives itself are kept.
 */
export function applyGlobalErrorResponses(
  document: OpenAPIObject,
): OpenAPIObject {
  for (const { path, operation } of operationsOf(document)) {
    operation.responses['413'] ??= errorResponse(BODY_TOO_LARGE);
    if (path !== INSTAGRAM_WEBHOOK_PATH) {
      operation.responses['400'] ??= errorResponse(BODY_INVALID);
    }
    const unavailable = operation.responses['503'] as
      | ResponseObject
      | undefined;
    const schema = unavailable?.content?.['application/json']?.schema;
    if (!unavailable) {
      operation.responses['503'] = errorResponse(UNAVAILABLE);
    } else if (schema && !isErrorSchema(schema)) {
      unavailable.content = {
        'application/json': { schema: { oneOf: [schema, ERROR_SCHEMA] } },
      };
    }
  }
  return document;
}

function isErrorSchema(schema: MediaSchema): boolean {
  return '$ref' in schema && schema.$ref === ERROR_SCHEMA.$ref;
}
