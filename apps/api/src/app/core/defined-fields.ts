/**
 * A copy of `value` without its fields set to `undefined`: what is written to the database (the
 * driver would store such a field as null; Mongoose left it out) and what reaches a DTO. A field
 * named `__proto__` stays a field (assigning it would set the copy's prototype).
 */
export function definedFields<T extends object>(value: T): T {
  const defined: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (key === '__proto__') {
      Object.defineProperty(defined, key, {
        value: field,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      defined[key] = field;
    }
  }
  return defined as T;
}
