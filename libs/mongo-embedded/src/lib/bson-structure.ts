/**
 * Checks a BSON document's bytes before the `bson` package deserializes them: every length and
 * terminator must stay inside its enclosing document, and nesting must stay within a depth limit.
 *
 * Why not let `bson` find out: its deserializer recurses once per nesting level, so a document
 * nested a few thousand levels deep (5 bytes a level) overflows the stack, and everything that
 * later walks the document (normalising numbers, mingo, serialising a reply) recurses too. This
 * walk keeps its own stack, so no input can make it overflow.
 */

/** mongod's default `maxBSONDepth`: deeper documents are refused. */
export const MAX_BSON_DEPTH = 200;

const FIXED_VALUE_SIZES: Record<number, number> = {
  0x01: 8, // double
  0x06: 0, // undefined
  0x07: 12, // ObjectId
  0x08: 1, // boolean
  0x09: 8, // UTC datetime
  0x0a: 0, // null
  0x10: 4, // int32
  0x11: 8, // timestamp
  0x12: 8, // int64
  0x13: 16, // decimal128
  0x7f: 0, // MaxKey
  0xff: 0, // MinKey
};

const STRING_TYPES = new Set([0x02, 0x0d, 0x0e]); // string, JavaScript code, symbol
const DOCUMENT_TYPES = new Set([0x03, 0x04]); // document, array

/**
 * Returns what is wrong with the document of `size` bytes at `offset` (the caller has checked that
 * it fits in `buf`), or undefined when its structure is sound.
 */
export function findBsonStructureProblem(
  buf: Buffer,
  offset: number,
  size: number,
  maxDepth = MAX_BSON_DEPTH,
): string | undefined {
  if (size < 5) return `BSON document length ${size} is below the minimum 5`;
  if (buf.readInt32LE(offset) !== size)
    return 'BSON document length does not match its frame';
  // The end offsets of the documents being walked, innermost last.
  const ends: number[] = [offset + size];
  let pos = offset + 4;
  while (ends.length > 0) {
    const end = ends[ends.length - 1];
    // The last byte of a document is its terminating 0; elements must end before it.
    const valueLimit = end - 1;
    if (pos === valueLimit) {
      if (buf[pos] !== 0) return 'BSON document does not end with a 0 byte';
      pos += 1;
      ends.pop();
      continue;
    }
    if (pos > valueLimit)
      return 'BSON element runs past the end of its document';
    const type = buf[pos];
    const nameEnd = buf.indexOf(0, pos + 1);
    if (nameEnd < 0 || nameEnd >= valueLimit)
      return 'BSON element name is not terminated inside its document';
    pos = nameEnd + 1;
    const left = valueLimit - pos;
    const fixed = FIXED_VALUE_SIZES[type];
    if (fixed !== undefined) {
      if (fixed > left) return 'BSON value runs past the end of its document';
      pos += fixed;
      continue;
    }
    if (STRING_TYPES.has(type)) {
      const problem = checkString(buf, pos, left);
      if (problem) return problem;
      pos += 4 + buf.readInt32LE(pos);
      continue;
    }
    if (DOCUMENT_TYPES.has(type)) {
      if (left < 5) return 'BSON value runs past the end of its document';
      const inner = buf.readInt32LE(pos);
      if (inner < 5 || inner > left)
        return `embedded BSON document length ${inner} does not fit in its parent`;
      if (ends.length >= maxDepth)
        return `BSON document nested deeper than ${maxDepth} levels`;
      ends.push(pos + inner);
      pos += 4;
      continue;
    }
    switch (type) {
      case 0x05: {
        // binary: int32 length, subtype byte, bytes
        if (left < 5) return 'BSON value runs past the end of its document';
        const length = buf.readInt32LE(pos);
        if (length < 0 || 5 + length > left)
          return `BSON binary length ${length} does not fit in its document`;
        pos += 5 + length;
        continue;
      }
      case 0x0b: {
        // regular expression: pattern and options, both cstrings
        const patternEnd = buf.indexOf(0, pos);
        const optionsEnd = patternEnd < 0 ? -1 : buf.indexOf(0, patternEnd + 1);
        if (optionsEnd < 0 || optionsEnd >= valueLimit)
          return 'BSON regular expression is not terminated inside its document';
        pos = optionsEnd + 1;
        continue;
      }
      case 0x0c: {
        // DBPointer: string, then a 12-byte ObjectId
        const problem = checkString(buf, pos, left - 12);
        if (problem) return problem;
        pos += 4 + buf.readInt32LE(pos) + 12;
        continue;
      }
      case 0x0f: {
        // code with scope: int32 total, string, document
        if (left < 4 + 5 + 5)
          return 'BSON value runs past the end of its document';
        const total = buf.readInt32LE(pos);
        if (total < 4 + 5 + 5 || total > left)
          return `BSON code-with-scope length ${total} does not fit in its document`;
        const problem = checkString(buf, pos + 4, total - 4 - 5);
        if (problem) return problem;
        const scopeAt = pos + 4 + 4 + buf.readInt32LE(pos + 4);
        if (scopeAt + buf.readInt32LE(scopeAt) !== pos + total)
          return 'BSON code-with-scope parts do not add up to its length';
        if (ends.length >= maxDepth)
          return `BSON document nested deeper than ${maxDepth} levels`;
        ends.push(pos + total);
        pos = scopeAt + 4;
        continue;
      }
      default:
        return `unknown BSON type 0x${type.toString(16).padStart(2, '0')}`;
    }
  }
  return undefined;
}

/** A BSON string at `pos` (int32 length counting its 0 terminator, bytes, 0) within `left` bytes. */
function checkString(
  buf: Buffer,
  pos: number,
  left: number,
): string | undefined {
  if (left < 5) return 'BSON value runs past the end of its document';
  const length = buf.readInt32LE(pos);
  if (length < 1 || length > left - 4)
    return `BSON string length ${length} does not fit in its document`;
  if (buf[pos + 4 + length - 1] !== 0)
    return 'BSON string does not end with a 0 byte';
  return undefined;
}
