import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The id the document's component schemas are registered under in Ajv. */
const COMPONENTS_ID = 'openapi-components';
const COMPONENT_REF_PREFIX = '#/components/schemas/';

/** OpenAPI 3.0 annotations Ajv does not know; they never constrain a value. */
const ANNOTATIONS = new Set(['example', 'xml', 'externalDocs']);

type Schema = Record<string, unknown>;

/**
 * OpenAPI 3.0 schemas as JSON Schema, read the way client generators read them:
 * - `nullable: true` admits null for the whole schema (also around an `allOf` reference);
 * - an object with `properties` holds only those: a field the document does not list is a
 *   mismatch, since a generated client would drop it silently;
 * - references point into the components registered with Ajv.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const converted: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-') || key === 'nullable') {
      continue;
    }
    if (key === '$ref' && typeof value === 'string') {
      converted[key] = value.startsWith(COMPONENT_REF_PREFIX)
        ? `${COMPONENTS_ID}#/$defs/${value.slice(COMPONENT_REF_PREFIX.length)}`
        : value;
    } else if (key === 'properties' || key === '$defs') {
      converted[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([name, property]) => [
          name,
          toJsonSchema(property),
        ]),
      );
    } else {
      converted[key] = toJsonSchema(value);
    }
  }
  if ('properties' in converted && !('additionalProperties' in converted)) {
    converted['additionalProperties'] = false;
  }
  return (schema as Schema)['nullable'] === true
    ? { anyOf: [converted, { type: 'null' }] }
    : converted;
}

/**
 * Compiles schemas of one OpenAPI document with Ajv (strict: a keyword Ajv does not know is an
 * error, so a typo in a decorator cannot silently validate nothing), each at most once.
 */
export class OpenApiSchemaCompiler {
  private readonly ajv = new Ajv({
    allErrors: true,
    strict: true,
    inlineRefs: false,
  });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(componentSchemas: Record<string, unknown>) {
    addFormats(this.ajv);
    this.ajv.addSchema(
      toJsonSchema({ $defs: componentSchemas }) as Schema,
      COMPONENTS_ID,
    );
  }

  /** A validator for `schema`, found again by `key` the next time. */
  validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
