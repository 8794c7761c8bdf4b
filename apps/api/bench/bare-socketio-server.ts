/**
 * The webhook → socket bench's reference: Socket.io's own delivery on this machine. A bare Node
 * `http` server with a Socket.io server on it; each socket names its user in `auth.token` and joins
 * `user:<id>`, and `POST /emit` `{ userId, text }` emits `message:new` `{ text }` to that room.
 * No authentication, database or processing: what is left is HTTP in, JSON, Socket.io out.
 *
 * Started by webhook-socket-bench.ts as its own process. Prints `listening <port>` once ready.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { answer, listenForTheBench } from './reference-http';

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/emit') {
    answer(response, 404, '{"statusCode":404,"error":"Not Found"}');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const { userId, text } = JSON.parse(
      Buffer.concat(chunks).toString('utf8'),
    ) as { userId: string; text: string };
    io.to(`user:${userId}`).emit('message:new', { text });
    answer(response, 200, '{}');
  });
});

const io = new Server(server, {
  path: '/socket.io',
  transports: ['websocket'],
});
io.on('connection', (socket) => {
  const token: unknown = socket.handshake.auth['token'];
  if (typeof token !== 'string') {
    socket.disconnect(true);
    return;
  }
  void socket.join(`user:${token}`);
});

listenForTheBench(server);
