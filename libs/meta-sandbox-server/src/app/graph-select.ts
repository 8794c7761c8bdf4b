import { GraphErrors } from './graph-errors';
import { FieldsSyntaxError, parseFields, type FieldSelection } from './fields';
import type { Reply, SandboxRequest } from './http/router';

/**
 * How the Graph API shapes an answer: `fields` projection (nested selections included, Meta's
 * default selection when absent) and cursor paging of lists.
 */

/** A Graph object: plain values, or edges computed only when selected. */
export type Node = Record<
  string,
  unknown | ((sel: FieldSelection | true) => unknown)
>;

class UnknownFieldError extends Error {
  constructor(
    readonly field: string,
    readonly nodeType: string,
  ) {
    super(field);
  }
}

/** Projects a node onto the requested `fields`, with Meta's default selection when absent. */
export function select(
  req: SandboxRequest,
  nodeType: string,
  node: Node,
  defaults: Record<string, unknown>,
): Reply {
  let selection: FieldSelection | undefined;
  try {
    selection = parseFields(req.query.get('fields'));
  } catch (err) {
    if (err instanceof FieldsSyntaxError)
      return GraphErrors.invalidParameter(
        `Syntax error "${err.message}" in fields`,
      );
    throw err;
  }
  if (!selection) return { status: 200, json: defaults };
  try {
    return { status: 200, json: project(node, selection, nodeType) };
  } catch (err) {
    if (err instanceof UnknownFieldError)
      return GraphErrors.nonexistingField(err.field, err.nodeType);
    throw err;
  }
}

function project(
  node: Node,
  selection: FieldSelection,
  nodeType: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, nested] of selection) {
    if (!(field in node)) throw new UnknownFieldError(field, nodeType);
    let value = node[field];
    if (typeof value === 'function') value = value(nested);
    if (value === undefined) continue; // Meta omits empty edges, e.g. a Page without Instagram.
    if (nested !== true && value && typeof value === 'object') {
      value = project(value as Node, nested, field);
    } else if (
      value &&
      typeof value === 'object' &&
      'id' in (value as object)
    ) {
      value = { id: (value as { id: unknown }).id };
    }
    out[field] = value;
  }
  if (!('id' in out) && 'id' in node) out['id'] = node['id'];
  return out;
}

const cursor = (index: number) =>
  Buffer.from(`sandbox:${index}`).toString('base64url');

/** Cursor-based paging as Meta does it: `limit`, `after`/`before`, and `paging.next` while more remain. */
interface PageWindow {
  start: number;
  end: number;
  paging: (path: string) => {
    cursors: { before: string; after: string };
    next?: string;
  };
}

export function paginate(
  req: SandboxRequest,
  total: number,
  maxPageSize: number,
): PageWindow | { error: Reply } {
  const limitParam = req.query.get('limit');
  const limit = limitParam === null ? 25 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1)
    return {
      error: GraphErrors.invalidParameter(
        'Param limit must be a positive integer',
      ),
    };
  const after = req.query.get('after');
  let start = 0;
  if (after) {
    const match = /^sandbox:(\d+)$/.exec(
      Buffer.from(after, 'base64url').toString('utf8'),
    );
    if (!match)
      return {
        error: GraphErrors.invalidParameter(
          'Param after is not a valid cursor',
        ),
      };
    start = Number(match[1]) + 1;
  }
  const end = Math.min(total, start + Math.min(limit, maxPageSize));
  return {
    start,
    end,
    paging: (path: string) => {
      const paging: {
        cursors: { before: string; after: string };
        next?: string;
      } = { cursors: { before: cursor(start), after: cursor(end - 1) } };
      if (end < total) {
        const next = new URLSearchParams(req.query);
        next.delete('appsecret_proof');
        next.set('after', cursor(end - 1));
        paging.next = `http://${req.headers.host ?? 'localhost'}${path}?${next.toString()}`;
      }
      return paging;
    },
  };
}
