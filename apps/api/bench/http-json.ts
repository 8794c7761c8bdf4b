import { Agent, request } from 'node:http';
import { io, type Socket } from 'socket.io-client';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One JSON request over a shared keep-alive agent; rejects on a non-2xx answer. */
export function call(
  baseUrl: string,
  method: string,
  path: string,
  token: string | null,
  body?: object,
): Promise<unknown> {
  return send(
    baseUrl,
    method,
    path,
    {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body === undefined ? undefined : JSON.stringify(body),
  ).then((text) => (text ? JSON.parse(text) : null));
}

/** A request with the given headers and raw body; resolves with the answer's text when it is 2xx. */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: string | Buffer,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(payload !== undefined && {
            'content-length': String(Buffer.byteLength(payload)),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new Error(`${method} ${path}: ${status} ${text}`));
          } else {
            resolvePromise(text);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Closes the idle keep-alive connections, so the process can exit. */
export function closeConnections(): void {
  agent.destroy();
}

/** A websocket-only Socket.io client with `auth.token`, once connected. */
export function connectSocket(baseUrl: string, token: string): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = io(baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
    });
    socket.once('connect', () => resolvePromise(socket));
    socket.once('connect_error', reject);
  });
}
