/**
 * Deeper than any real JSON body or socket payload (Meta's webhooks nest under 10 levels), and far
 * below the depth at which recursive code (class-transformer, the validation pipe, socket.io's
 * binary check) overflows the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Keys no client has a reason to send and that break or subvert object-mapping code:
 * class-transformer throws a TypeError (a 500) on a nested `constructor` object, and `__proto__`
 * is how prototype pollution starts.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** What is wrong with a parsed JSON value, in words for the client; undefined when nothing is. */
export function jsonShapeProblem(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): string | undefined {
  // Iterative, so measuring a hostile value cannot overflow the stack itself; stops at the first
  // problem, so the work is bounded by the value's size, never by its depth.
  const pending: Array<{ value: unknown; depth: number }> = [
    { value, depth: 1 },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > maxDepth) return 'is nested too deeply';
    for (const key of Object.keys(item.value)) {
      if (FORBIDDEN_KEYS.has(key)) return `must not contain the key "${key}"`;
      pending.push({
        value: (item.value as Record<string, unknown>)[key],
        depth: item.depth + 1,
      });
    }
  }
  return undefined;
}
