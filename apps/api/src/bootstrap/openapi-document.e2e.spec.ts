import {
  dateTimeProperties,
  stringUnionProperties,
} from '@instantchat/contracts';
import request from 'supertest';
import { createTestApp, type TestApp } from '../app/testing/test-app';

type Schema = Record<string, unknown>;
interface Operation {
  security: unknown[];
  parameters?: Array<{ name: string; schema: Schema }>;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Every schema in the document, with where it sits, e.g. `ConversationDto.kind`. */
function* schemasOf(schema: unknown, at: string): Generator<[string, Schema]> {
  if (typeof schema !== 'object' || schema === null) return;
  yield [at, schema as Schema];
  const { properties, items, allOf, oneOf, anyOf } = schema as Schema;
  for (const [name, property] of Object.entries((properties ?? {}) as Schema)) {
    yield* schemasOf(property, `${at}.${name}`);
  }
  yield* schemasOf(items, `${at}[]`);
  for (const branch of [allOf, oneOf, anyOf].flatMap(
    (list) => (list ?? []) as unknown[],
  )) {
    yield* schemasOf(branch, at);
  }
}

describe('The OpenAPI document a client is generated from (e2e)', () => {
  let app: TestApp;
  let document: Document;
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, operation]) =>
          [`${method.toUpperCase()} ${path}`, operation] as const,
      ),
    );
  const everySchema = () => [
    ...Object.entries(document.components.schemas).flatMap(([name, schema]) => [
      ...schemasOf(schema, name),
    ]),
    ...operations().flatMap(([name, operation]) => [
      ...(operation.parameters ?? []).flatMap((parameter) => [
        ...schemasOf(parameter.schema, `${name} ?${parameter.name}`),
      ]),
      ...Object.entries(operation.responses).flatMap(([status, response]) =>
        Object.values(response.content ?? {}).flatMap((media) => [
          ...schemasOf(media.schema, `${name} ${status}`),
        ]),
      ),
    ]),
  ];

  beforeAll(async () => {
    app = await createTestApp();
    document = (await request(app.http).get('/api/docs-json').expect(200))
      .body as Document;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('documents the conversation’s kind and the message’s source and status as named string enums', () => {
    const { schemas } = document.components;
    expect(schemas['ConversationDto']['properties']).toMatchObject({
      kind: { allOf: [{ $ref: '#/components/schemas/ConversationKind' }] },
    });
    expect(schemas['MessageDto']['properties']).toMatchObject({
      source: { allOf: [{ $ref: '#/components/schemas/MessageSource' }] },
      status: { allOf: [{ $ref: '#/components/schemas/MessageStatus' }] },
    });
    expect(schemas['ConversationKind']).toEqual({
      type: 'string',
      enum: ['local', 'instagram'],
    });
    expect(schemas['InstagramStatusDto']['properties']).toMatchObject({
      loginMethods: {
        type: 'array',
        items: { $ref: '#/components/schemas/InstagramLoginMethod' },
      },
    });
  });

  it('documents every union the contracts mark with @StringUnion as a string enum of its values', () => {
    const unions = stringUnionProperties();
    expect(unions.length).toBeGreaterThanOrEqual(12);
    for (const union of unions) {
      expect([union.name, document.components.schemas[union.name]]).toEqual([
        union.name,
        { type: 'string', enum: [...union.values] },
      ]);
    }
    // Optional where the contract says `?`: an item has a reason only when it was ignored.
    const item = document.components.schemas['WebhookEventItemDto'];
    expect(item['required']).toContain('status');
    expect(item['required']).not.toContain('reason');
  });

  it('documents every instant the contracts mark with @DateTime as a date-time string, keeping required and nullable', () => {
    const instants = dateTimeProperties();
    expect(instants.length).toBeGreaterThanOrEqual(16);
    const { schemas } = document.components;
    for (const { owner, property } of instants) {
      const name = (owner as { name: string }).name;
      const at = `${name}.${property}`;
      if (name.endsWith('QueryDto')) continue; // a query parameter: below
      expect([at, schemas[name]?.['properties']]).toEqual([
        at,
        expect.objectContaining({
          [property]: expect.objectContaining({
            type: 'string',
            format: 'date-time',
          }),
        }),
      ]);
    }
    // And no instant is left unmarked: every `…At` / `…Since` string is one.
    const unmarked = everySchema()
      .filter(
        ([at, schema]) =>
          /(At|Since)$/.test(at) &&
          schema['type'] === 'string' &&
          schema['format'] !== 'date-time',
      )
      .map(([at]) => at);
    expect(unmarked).toEqual([]);
    // The plugin's reading of `?` and `| null` still stands beside the format.
    expect(schemas['MessageDto']['required']).toContain('createdAt');
    expect(schemas['MessageDto']['required']).not.toContain('editedAt');
    expect(schemas['MessageDto']['properties']).toMatchObject({
      deletedAt: { type: 'string', format: 'date-time', nullable: true },
    });
    const listConversations = document.paths['/api/conversations']['get'];
    expect(
      listConversations.parameters?.find(
        (parameter) => parameter.name === 'updatedSince',
      ),
    ).toMatchObject({
      required: false,
      schema: { type: 'string', format: 'date-time' },
    });
  });

  it('types every value: no bare object, no array without items, no parameter without a type', () => {
    const vague = everySchema()
      .filter(
        ([, schema]) =>
          (schema['type'] === 'object' &&
            !schema['properties'] &&
            !schema['additionalProperties'] &&
            !schema['allOf']) ||
          (schema['type'] === 'array' && !schema['items']) ||
          Object.keys(schema).every((key) =>
            ['description', 'nullable'].includes(key),
          ),
      )
      .map(([at]) => at);
    expect(vague).toEqual([]);
    expect(Object.keys(document.components.schemas)).not.toContain('Object');
  });

  it('marks a field nullable where the API sends null', () => {
    const { schemas } = document.components;
    expect(schemas['MessageDto']['properties']).toMatchObject({
      senderUserId: { type: 'string', nullable: true },
      deletedAt: { type: 'string', nullable: true },
    });
    expect(schemas['ConversationDto']['properties']).toMatchObject({
      lastMessage: { nullable: true },
      windowClosesAt: { nullable: true },
    });
  });

  it('lists on every operation the errors global code answers, with the one error body', () => {
    const missing: string[] = [];
    for (const [name, operation] of operations()) {
      const statuses = ['413', '503'];
      if (!name.endsWith(' /webhook/instagram')) statuses.push('400');
      if (operation.security.length > 0) statuses.push('401');
      for (const status of statuses) {
        if (!operation.responses[status]) missing.push(`${name} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    const errorBodies = operations().flatMap(([name, operation]) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => [
          `${name} ${status}`,
          JSON.stringify(response.content?.['application/json']?.schema),
        ]),
    );
    expect(
      errorBodies.filter(
        ([, schema]) =>
          !schema?.includes('"#/components/schemas/ApiErrorResponse"'),
      ),
    ).toEqual([]);
  });

  it('documents the webhook’s plain-text answers as text, not JSON', () => {
    const webhook = document.paths['/webhook/instagram'];
    for (const method of ['get', 'post']) {
      expect(
        Object.keys(webhook[method].responses['200'].content ?? {}),
      ).toEqual(['text/plain']);
    }
  });
});
