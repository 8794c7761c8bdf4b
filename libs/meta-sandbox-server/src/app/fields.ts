/**
 * Graph API field selection: `username,name,instagram_business_account{id,username}`.
 * A field maps to `true` or to its own nested selection.
 */
export type FieldSelection = Map<string, FieldSelection | true>;

export class FieldsSyntaxError extends Error {}

export function parseFields(
  input: string | null | undefined,
): FieldSelection | undefined {
  if (input === null || input === undefined || input.trim() === '')
    return undefined;
  let pos = 0;
  const parseList = (depth: number): FieldSelection => {
    const selection: FieldSelection = new Map();
    let name = '';
    const flush = (nested?: FieldSelection) => {
      const trimmed = name.trim();
      if (trimmed) selection.set(trimmed, nested ?? true);
      else if (nested)
        throw new FieldsSyntaxError(
          'Nested field selection without a field name',
        );
      name = '';
    };
    while (pos < input.length) {
      const ch = input[pos++];
      if (ch === ',') flush();
      else if (ch === '{') {
        flush(parseList(depth + 1));
        // A nested list must be followed by a separator or the end of its own list.
        while (input[pos] === ' ') pos++;
        if (pos < input.length && input[pos] !== ',' && input[pos] !== '}')
          throw new FieldsSyntaxError('Expected , after }');
      } else if (ch === '}') {
        if (depth === 0) throw new FieldsSyntaxError('Unbalanced }');
        flush();
        return selection;
      } else name += ch;
    }
    if (depth > 0) throw new FieldsSyntaxError('Unbalanced {');
    flush();
    return selection;
  };
  return parseList(0);
}
