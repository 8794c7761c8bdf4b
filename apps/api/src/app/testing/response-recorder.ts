import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  type ObservedResponse,
  OpenApiResponseValidator,
} from './openapi-response-validator';

/**
 * The routes the OpenAPI document describes: the API, Meta's webhook and the metrics scrape. The
 * document itself, the dashboard's files and Socket.io's transport are not operations of it.
 */
export function isDocumentedSurface(path: string): boolean {
  return (
    (path.startsWith('/api/') ||
      path.startsWith('/webhook/') ||
      path === '/metrics') &&
    !/^\/api\/docs($|[-/])/.test(path)
  );
}

/** Contract violations of this test file's apps, not yet reported to a test (see the setup file). */
const unreported: string[] = [];

/** Hands over (and forgets) every violation recorded since the last call. */
export function takeContractViolations(): string[] {
  return unreported.splice(0, unreported.length);
}

/**
 * Watches every response a server sends on the documented surface and checks it against the
 * OpenAPI document as it leaves: the body is captured from `write`/`end`, so what is checked is
 * exactly what the client receives, whichever client a spec uses (supertest, fetch, a browser).
 * Violations go to `sink`: by default the list every e2e spec is failed by after each test.
 */
export class ResponseRecorder {
  /** Responses checked so far (a spec may assert it is not vacuous). */
  checked = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly validator: OpenApiResponseValidator,
    private readonly sink: string[] = unreported,
  ) {}

  /** Runs before the app's own request listener, so no response escapes. Returns the detach. */
  attach(server: Server): () => void {
    const listener = (request: IncomingMessage, response: ServerResponse) =>
      this.watch(request, response);
    server.prependListener('request', listener);
    return () => server.off('request', listener);
  }

  /** Every checked response as `operation status`, e.g. `GET /api/conversations/{id} 404`. */
  responsesSeen(): ReadonlySet<string> {
    return this.seen;
  }

  private watch(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0];
    if (method === 'HEAD' || method === 'OPTIONS') return;
    if (!isDocumentedSurface(path)) return;
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown, encoding: unknown) => {
      if (typeof chunk === 'string') {
        chunks.push(
          Buffer.from(
            chunk,
            typeof encoding === 'string'
              ? (encoding as BufferEncoding)
              : 'utf8',
          ),
        );
      } else if (chunk instanceof Uint8Array) {
        chunks.push(Buffer.from(chunk));
      }
    };
    // Fastify hands its headers to writeHead, which leaves them out of getHeader() when nothing
    // called setHeader before: read the Content-Type where it is given.
    let writtenContentType: string | undefined;
    const writeHead = response.writeHead;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const headers = args.find(
        (arg) => typeof arg === 'object' && arg !== null,
      );
      writtenContentType = contentTypeIn(headers) ?? writtenContentType;
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(
        this,
        args,
      );
    } as typeof response.writeHead;
    const write = response.write;
    const end = response.end;
    response.write = function (this: ServerResponse, ...args: unknown[]) {
      collect(args[0], args[1]);
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof response.write;
    response.end = ((...args: unknown[]) => {
      if (typeof args[0] !== 'function') collect(args[0], args[1]);
      this.check({
        method,
        path,
        status: response.statusCode,
        contentType:
          headerText(response.getHeader('content-type')) ?? writtenContentType,
        body: Buffer.concat(chunks),
      });
      return (end as (...a: unknown[]) => ServerResponse).apply(response, args);
    }) as typeof response.end;
  }

  private check(response: ObservedResponse): void {
    this.checked += 1;
    const operation =
      this.validator.operationOf(response.method, response.path) ??
      `${response.method} ${response.path}`;
    this.seen.add(`${operation} ${response.status}`);
    try {
      const problem = this.validator.problemWith(response);
      if (problem) this.sink.push(problem);
    } catch (error) {
      this.sink.push(
        `${response.method} ${response.path} → ${response.status}: checking it failed: ${String(error)}`,
      );
    }
  }
}

function headerText(
  value: number | string | string[] | undefined,
): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value?.toString();
}

/** The Content-Type in writeHead's headers (an object, or a flat [name, value, …] array). */
function contentTypeIn(headers: unknown): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'content-type')
        return String(headers[i + 1]);
    }
    return undefined;
  }
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-type') return String(value);
  }
  return undefined;
}
