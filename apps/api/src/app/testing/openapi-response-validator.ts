import type { ErrorObject } from 'ajv';
import { OpenApiSchemaCompiler } from './openapi-json-schema';

/** The parts of an OpenAPI 3.0 document this validator reads. */
export interface OpenApiDocumentShape {
  paths: Record<string, object>;
  components?: { schemas?: Record<string, unknown> };
}

interface MediaTypeShape {
  schema?: unknown;
}
interface ResponseShape {
  content?: Record<string, MediaTypeShape>;
}
interface OperationShape {
  responses: Record<string, ResponseShape>;
}

/** One HTTP response as the server sent it. */
export interface ObservedResponse {
  method: string;
  /** The request's path, without the query. */
  path: string;
  status: number;
  /** The Content-Type header, if any. */
  contentType?: string;
  body: Buffer;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments: `/conversations/messages` wins over `/conversations/{id}`. */
  literalSegments: number;
  operation: OperationShape;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const UNKNOWN_ROUTE_ERROR = { $ref: '#/components/schemas/ApiErrorResponse' };

/**
 * Checks real responses against an OpenAPI document the way a client generated from it would read
 * them: the operation (path template and method), the status code among its responses, the media
 * type among that response's content, then the body against its schema. A path no operation lists
 * must be the API's 404 error body (what Nest answers for an unknown route).
 */
export class OpenApiResponseValidator {
  private readonly routes: Route[];
  private readonly schemas: OpenApiSchemaCompiler;

  constructor(document: OpenApiDocumentShape) {
    this.schemas = new OpenApiSchemaCompiler(
      document.components?.schemas ?? {},
    );
    this.routes = Object.entries(document.paths)
      .flatMap(([template, pathItem]) => {
        const operations = pathItem as Record<string, OperationShape>;
        return METHODS.filter((method) => operations[method]).map((method) =>
          toRoute(template, method, operations[method]),
        );
      })
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** `GET /api/conversations/{id}` for `GET /api/conversations/65…`; undefined if none matches. */
  operationOf(method: string, path: string): string | undefined {
    const route = this.routeOf(method, path);
    return route && `${method.toUpperCase()} ${route.template}`;
  }

  /** What is wrong with the response, in one paragraph; undefined when it matches the document. */
  problemWith(response: ObservedResponse): string | undefined {
    const route = this.routeOf(response.method, response.path);
    const where = `${response.method} ${response.path} → ${response.status}`;
    if (!route) {
      if (response.status !== 404) {
        return `${where}: no operation in the OpenAPI document lists ${response.method} ${response.path}`;
      }
      return this.bodyProblem(
        where,
        'unknown route',
        UNKNOWN_ROUTE_ERROR,
        response,
      );
    }
    const operation = `${response.method} ${route.template}`;
    const documented = route.operation.responses[String(response.status)];
    if (!documented) {
      const statuses = Object.keys(route.operation.responses).join(', ');
      return `${where}: ${operation} does not document status ${response.status} (it lists ${statuses})`;
    }
    if (!documented.content) return undefined;
    const mediaType = (response.contentType ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const media = documented.content[mediaType];
    if (!media) {
      const listed = Object.keys(documented.content).join(', ');
      return `${where}: ${operation} ${response.status} is documented as ${listed}, served as ${mediaType || 'no Content-Type'}`;
    }
    if (media.schema === undefined) return undefined;
    return this.bodyProblem(
      where,
      `${operation} ${response.status} ${mediaType}`,
      media.schema,
      response,
      mediaType,
    );
  }

  private routeOf(method: string, path: string): Route | undefined {
    const lowerCase = method.toLowerCase();
    return this.routes.find(
      (candidate) =>
        candidate.method === lowerCase && candidate.pattern.test(path),
    );
  }

  private bodyProblem(
    where: string,
    key: string,
    schema: unknown,
    response: ObservedResponse,
    mediaType = 'application/json',
  ): string | undefined {
    let body: unknown = response.body.toString('utf8');
    if (mediaType === 'application/json') {
      try {
        body = JSON.parse(body as string);
      } catch {
        return `${where}: the body is not JSON: ${preview(body)}`;
      }
    }
    const validate = this.schemas.validatorFor(key, schema);
    if (validate(body)) return undefined;
    return (
      `${where}: the body does not match the documented schema ${JSON.stringify(schema)}:\n` +
      (validate.errors ?? []).map((error) => describe(error, body)).join('\n')
    );
  }
}

function toRoute(
  template: string,
  method: string,
  operation: OperationShape,
): Route {
  const segments = template.split('/');
  const pattern = segments
    .map((segment) =>
      /^\{[^}]+\}$/.test(segment) ? '[^/]+' : escapeRegExp(segment),
    )
    .join('/');
  return {
    method,
    template,
    pattern: new RegExp(`^${pattern}/?$`),
    literalSegments: segments.filter((segment) => !segment.startsWith('{'))
      .length,
    operation,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One Ajv error with the value it is about, e.g. `/0/kind must be string (got "local")`. */
function describe(error: ErrorObject, body: unknown): string {
  const at = error.instancePath || '(the body)';
  const params =
    error.keyword === 'additionalProperties'
      ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"`
      : error.keyword === 'enum'
        ? ` ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`
        : '';
  return `  ${at} ${error.message}${params} (schema ${error.schemaPath}; got ${preview(valueAt(body, error.instancePath))})`;
}

function valueAt(body: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (value, part) =>
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[part]
          : undefined,
      body,
    );
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
