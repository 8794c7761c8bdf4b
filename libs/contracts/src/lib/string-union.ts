/**
 * A string-union property's allowed values, kept at run time for the API's OpenAPI document.
 *
 * TypeScript erases a union such as `'local' | 'instagram'`, so the swagger plugin documents it as
 * `type: object` and a generated client cannot read the value. This decorator names the values
 * beside the property; the API's swagger setup turns each record into a named string enum. It
 * needs nothing at run time (no Nest, no reflect-metadata), so the dashboard loads these classes
 * as it did before.
 */
export interface StringUnionProperty {
  /** The class (constructor) the property belongs to. */
  owner: object;
  property: string;
  values: readonly string[];
  /** The enum's name in the OpenAPI document, e.g. `ConversationKind`. */
  name: string;
  /** The property is an array of these values. */
  each: boolean;
}

const marked: StringUnionProperty[] = [];

/**
 * `@StringUnion(CONVERSATION_KINDS, 'ConversationKind')` on `kind!: ConversationKind`; add
 * `{ each: true }` on an array of them. The compiler checks that the values fit the property.
 */
export function StringUnion<Value extends string>(
  values: readonly Value[],
  name: string,
  options: { each?: boolean } = {},
) {
  return <Key extends string>(
    prototype: { [property in Key]?: Value | readonly Value[] | null },
    property: Key,
  ): void => {
    marked.push({
      owner: prototype.constructor,
      property,
      values,
      name,
      each: options.each === true,
    });
  };
}

/** Every property marked with `@StringUnion`, in the order the classes were loaded. */
export function stringUnionProperties(): readonly StringUnionProperty[] {
  return marked;
}
