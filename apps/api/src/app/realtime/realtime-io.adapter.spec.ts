import { SOCKET_PATH } from '@instantchat/contracts';
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { io, type Socket } from 'socket.io-client';
import type { AppConfigService } from '../config/app-config.service';
import { InProcessRateLimitStore } from '../core/rate-limit-store';
import { RealtimeIoAdapter } from './realtime-io.adapter';
import { itWithRedis, REDIS_TEST_URL } from './testing/redis-for-tests';

const CLIENT_URL = 'http://dashboard.example.test';

/** One API instance's Socket.io server, on its own HTTP server, through the adapter under test. */
class Instance {
  readonly http: HttpServer = createServer();
  readonly adapter: RealtimeIoAdapter;
  io!: ReturnType<RealtimeIoAdapter['createIOServer']>;

  constructor(redisUrl?: string) {
    const config = {
      http: { clientUrl: CLIENT_URL, bodyLimitBytes: 100 * 1024 },
      chat: { messageRateLimitPerMinute: 60 },
      redis: redisUrl ? { url: redisUrl } : undefined,
    };
    // The adapter only needs the HTTP server from the application it is given.
    this.adapter = new RealtimeIoAdapter(
      this.http as unknown as INestApplication,
      config as AppConfigService,
      new InProcessRateLimitStore(),
    );
  }

  async start(): Promise<this> {
    await this.adapter.connectToRedis();
    this.io = this.adapter.createIOServer(0, { path: SOCKET_PATH });
    await new Promise<void>((resolve) =>
      this.http.listen(0, '127.0.0.1', resolve),
    );
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await this.adapter.close(this.io);
    await new Promise((resolve) => this.http.close(resolve));
  }
}

describe('RealtimeIoAdapter', () => {
  const instances: Instance[] = [];
  const clients: Socket[] = [];

  async function start(redisUrl?: string): Promise<Instance> {
    const instance = await new Instance(redisUrl).start();
    instances.push(instance);
    return instance;
  }

  function connect(instance: Instance): Promise<Socket> {
    const client = io(instance.url, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve(client));
      client.once('connect_error', reject);
    });
  }

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await Promise.all(instances.splice(0).map((instance) => instance.stop()));
  });

  it('allows cross-origin requests from the dashboard’s origin only', async () => {
    const instance = await start();

    const response = await fetch(
      `${instance.url}${SOCKET_PATH}/?EIO=4&transport=polling`,
      {
        headers: { Origin: 'http://evil.example.test' },
      },
    );
    await response.text();

    expect(response.headers.get('access-control-allow-origin')).toBe(
      CLIENT_URL,
    );
  });

  itWithRedis(
    'with REDIS_URL, delivers an emit from one instance to a socket connected to another',
    async () => {
      const [publisher, subscriber] = await Promise.all([
        start(REDIS_TEST_URL),
        start(REDIS_TEST_URL),
      ]);
      const room = `user:${randomUUID()}`;
      subscriber.io.on('connection', (socket) => void socket.join(room));
      const client = await connect(subscriber);
      const received = new Promise((resolve) =>
        client.once('message:new', resolve),
      );
      // Give the subscriber's Redis adapter a moment to learn the room exists.
      await new Promise((resolve) => setTimeout(resolve, 50));

      publisher.io.to(room).emit('message:new', { text: 'across instances' });

      await expect(received).resolves.toEqual({ text: 'across instances' });
    },
  );

  it('without REDIS_URL, keeps rooms in-process: another instance’s emit does not arrive', async () => {
    const [publisher, subscriber] = await Promise.all([start(), start()]);
    const room = `user:${randomUUID()}`;
    subscriber.io.on('connection', (socket) => void socket.join(room));
    const client = await connect(subscriber);
    const received: unknown[] = [];
    client.on('message:new', (payload) => received.push(payload));

    publisher.io.to(room).emit('message:new', { text: 'lost' });
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(received).toEqual([]);
  });

  it('refuses to start when Redis cannot be reached, instead of running without fan-out', async () => {
    const unreachable = new Instance('redis://127.0.0.1:1');

    await expect(unreachable.adapter.connectToRedis()).rejects.toThrow(
      /^Could not connect to Redis \(REDIS_URL\): /,
    );
  });
});
