import {
  type ObservedResponse,
  type OpenApiDocumentShape,
  OpenApiResponseValidator,
} from './openapi-response-validator';

const ERROR = { $ref: '#/components/schemas/ApiErrorResponse' };
const json = (schema: unknown) => ({
  description: '',
  content: { 'application/json': { schema } },
});

/** A small document in the shape Nest's swagger module writes. */
const DOCUMENT: OpenApiDocumentShape = {
  paths: {
    '/api/conversations/{id}': {
      get: {
        responses: {
          '200': json({ $ref: '#/components/schemas/ConversationDto' }),
          '404': json(ERROR),
        },
      },
    },
    '/api/conversations/messages': {
      post: { responses: { '201': json({ type: 'string' }) } },
    },
    '/webhook/instagram': {
      get: {
        responses: {
          '200': {
            description: '',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    '/api/instagram/auth/instagram/callback': {
      get: { responses: { '302': { description: 'redirect' } } },
    },
  },
  components: {
    schemas: {
      ConversationKind: { type: 'string', enum: ['local', 'instagram'] },
      PreviewDto: {
        type: 'object',
        properties: { text: { type: 'string' } },
        required: ['text'],
      },
      ConversationDto: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { allOf: [{ $ref: '#/components/schemas/ConversationKind' }] },
          lastMessage: {
            nullable: true,
            type: 'object',
            allOf: [{ $ref: '#/components/schemas/PreviewDto' }],
          },
          windowClosesAt: { type: 'string', nullable: true },
        },
        required: ['id', 'kind'],
      },
      ApiErrorResponse: {
        type: 'object',
        properties: {
          statusCode: { type: 'number', example: 404 },
          error: { type: 'string' },
          message: {
            oneOf: [
              { type: 'string' },
              { type: 'array', items: { type: 'string' } },
            ],
          },
        },
        required: ['statusCode', 'error', 'message'],
      },
    },
  },
};

const conversation = {
  id: '6650f1',
  kind: 'instagram',
  lastMessage: null,
  windowClosesAt: null,
};

function response(
  overrides: Partial<ObservedResponse> & { json?: unknown },
): ObservedResponse {
  const { json: body, ...rest } = overrides;
  return {
    method: 'GET',
    path: '/api/conversations/6650f1',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: Buffer.from(JSON.stringify(body ?? conversation)),
    ...rest,
  };
}

describe('OpenApiResponseValidator', () => {
  const validator = new OpenApiResponseValidator(DOCUMENT);

  it('accepts a response that matches its operation, status and schema (nullable references included)', () => {
    expect(validator.problemWith(response({}))).toBeUndefined();
    expect(
      validator.problemWith(
        response({ json: { ...conversation, lastMessage: { text: 'hi' } } }),
      ),
    ).toBeUndefined();
  });

  it('names the path, status, field and value when the body breaks the schema', () => {
    const problem = validator.problemWith(
      response({ json: { ...conversation, kind: { local: true } } }),
    );
    expect(problem).toContain('GET /api/conversations/6650f1 → 200');
    expect(problem).toContain('/kind must be string');
    expect(problem).toContain('{"local":true}');
  });

  it('refuses a value outside a string enum', () => {
    expect(
      validator.problemWith(
        response({ json: { ...conversation, kind: 'whatsapp' } }),
      ),
    ).toContain('/kind must be equal to one of the allowed values');
  });

  it('refuses null where the document does not say nullable, and a missing required field', () => {
    expect(
      validator.problemWith(response({ json: { ...conversation, id: null } })),
    ).toContain('/id must be string');
    const withoutKind: Partial<typeof conversation> = { ...conversation };
    delete withoutKind.kind;
    expect(validator.problemWith(response({ json: withoutKind }))).toContain(
      "must have required property 'kind'",
    );
  });

  it('refuses a field the document does not list, which a generated client would drop', () => {
    expect(
      validator.problemWith(
        response({ json: { ...conversation, passwordHash: 'x' } }),
      ),
    ).toContain('must NOT have additional properties "passwordHash"');
  });

  it('refuses a status code the operation does not document', () => {
    expect(
      validator.problemWith(
        response({
          status: 500,
          json: { statusCode: 500, error: 'x', message: 'y' },
        }),
      ),
    ).toContain(
      'GET /api/conversations/{id} does not document status 500 (it lists 200, 404)',
    );
  });

  it('refuses a body served as another media type than documented', () => {
    expect(
      validator.problemWith(
        response({
          method: 'GET',
          path: '/webhook/instagram',
          contentType: 'application/json; charset=utf-8',
          body: Buffer.from('"challenge"'),
        }),
      ),
    ).toContain('is documented as text/plain, served as application/json');
    expect(
      validator.problemWith(
        response({
          path: '/webhook/instagram',
          contentType: 'text/plain; charset=utf-8',
          body: Buffer.from('challenge'),
        }),
      ),
    ).toBeUndefined();
  });

  it('refuses a body that is not JSON where JSON is documented', () => {
    expect(
      validator.problemWith(response({ body: Buffer.from('<html>') })),
    ).toContain('the body is not JSON');
  });

  it('prefers a literal path segment over a parameter, as the router does', () => {
    expect(validator.operationOf('POST', '/api/conversations/messages')).toBe(
      'POST /api/conversations/messages',
    );
    expect(validator.operationOf('GET', '/api/conversations/messages')).toBe(
      'GET /api/conversations/{id}',
    );
  });

  it('accepts an undocumented route only as the API’s 404 error body', () => {
    const unknown = { method: 'DELETE', path: '/api/conversations/6650f1' };
    expect(
      validator.problemWith(
        response({
          ...unknown,
          status: 404,
          json: {
            statusCode: 404,
            error: 'Not Found',
            message: 'Cannot DELETE',
          },
        }),
      ),
    ).toBeUndefined();
    expect(
      validator.problemWith(
        response({ ...unknown, status: 404, json: { gone: true } }),
      ),
    ).toContain('the body does not match');
    expect(
      validator.problemWith(response({ ...unknown, status: 200 })),
    ).toContain(
      'no operation in the OpenAPI document lists DELETE /api/conversations/6650f1',
    );
  });

  it('leaves the body of a response documented without content (a redirect) alone', () => {
    expect(
      validator.problemWith(
        response({
          path: '/api/instagram/auth/instagram/callback',
          status: 302,
          contentType: 'text/plain; charset=utf-8',
          body: Buffer.from('Found. Redirecting to /instagram'),
        }),
      ),
    ).toBeUndefined();
  });

  it('refuses to compile a schema with a keyword JSON Schema does not know', () => {
    const typo = new OpenApiResponseValidator({
      paths: {
        '/api/x': {
          get: { responses: { '200': json({ type: 'string', minLenght: 1 }) } },
        },
      },
    });
    expect(() =>
      typo.problemWith(response({ path: '/api/x', body: Buffer.from('"a"') })),
    ).toThrow(/unknown keyword.*minLenght/);
  });
});
