/**
 * Deeper than any real JSON body or socket payload (Meta's webhooks nest under 10 levels), and far
 * below the depth at which recursive code (class-transformer, the validation pipe, socket.io's
 * binary check) overflows the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Iterative, so measuring a hostile value cannot overflow the stack itself. Stops at the first
 * value past `maxDepth`, so the work is bounded by the value's size, never by its depth.
 */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [
    { value, depth: 1 },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > maxDepth) return true;
    for (const child of Object.values(item.value)) {
      pending.push({ value: child, depth: item.depth + 1 });
    }
  }
  return false;
}
