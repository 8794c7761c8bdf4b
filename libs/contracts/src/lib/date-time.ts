/**
 * A property that holds an instant as an ISO 8601 date-time string (`2026-12-01T18:40:00.000Z`),
 * kept at run time for the API's OpenAPI document.
 *
 * The swagger plugin sees only `string`, so a generated client would type such a field as text.
 * This decorator marks it; the API's swagger setup documents it as `format: date-time` (and the
 * e2e harness's response check then holds every such value the API sends to that format). Like
 * `@StringUnion`, it needs nothing at run time, so the dashboard loads these classes unchanged.
 */
export interface DateTimeProperty {
  /** The class (constructor) the property belongs to. */
  owner: object;
  property: string;
}

const marked: DateTimeProperty[] = [];

/** `@DateTime()` on `createdAt!: string` (or `string | null`, optional or not). */
export function DateTime() {
  return <Key extends string>(
    prototype: { [property in Key]?: string | null },
    property: Key,
  ): void => {
    marked.push({ owner: prototype.constructor, property });
  };
}

/** Every property marked with `@DateTime`, in the order the classes were loaded. */
export function dateTimeProperties(): readonly DateTimeProperty[] {
  return marked;
}
