import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApi, startApiProcess } from './testing/api-process';

const SHUTDOWN_TIMEOUT_MS = 3_000;

const startApi = (dataDir: string) =>
  startApiProcess({
    dataDir,
    env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
  });

interface Answer {
  status: number | 'connection error';
  sentAt: number;
}

function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Answer & { json?: unknown }> {
  const sentAt = Date.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((done) => {
    const req = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...(payload && {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          }),
          ...(token && { Authorization: `Bearer ${token}` }),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          done({
            status: response.statusCode ?? 0,
            sentAt,
            json: text ? (JSON.parse(text) as unknown) : undefined,
          }),
        );
        response.on('error', () =>
          done({ status: 'connection error', sentAt }),
        );
      },
    );
    req.on('error', () => done({ status: 'connection error', sentAt }));
    req.end(payload);
  });
}

describe('Shutdown on SIGTERM (the started API process)', () => {
  let dataDir: string;
  let api: RunningApi | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'instantchat-shutdown-'));
  });

  afterEach(async () => {
    if (api && api.process.exitCode === null) {
      api.process.kill('SIGKILL');
      await api.exited;
    }
    api = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('under load: accepts nothing new after SIGTERM, finishes in-flight work, exits 0 within the deadline', async () => {
    api = await startApi(dataDir);
    const { port } = api;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const register = async (name: string) =>
      (
        await call(agent, port, 'POST', '/api/auth/register', {
          email: `${name}-${Date.now()}@example.test`,
          password: 'correct horse battery staple',
          displayName: name,
        })
      ).json as { accessToken: string; user: { id: string } };
    const alice = await register('alice');
    const bob = await register('bob');
    const conversation = (
      await call(
        agent,
        port,
        'POST',
        '/api/conversations',
        { participantId: bob.user.id },
        alice.accessToken,
      )
    ).json as { id: string };

    const answers: Answer[] = [];
    let sending = true;
    const sender = async () => {
      for (let i = 0; sending && i < 2_000; i += 1) {
        answers.push(
          await call(
            agent,
            port,
            'POST',
            `/api/conversations/${conversation.id}/messages`,
            { text: `load ${i}` },
            alice.accessToken,
          ),
        );
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    await new Promise((done) => setTimeout(done, 1_000));

    api.process.kill('SIGTERM');
    const shutdownBeganAt = await api.waitFor('SIGTERM:', 5_000);
    await new Promise((done) => setTimeout(done, 500));
    sending = false;
    await Promise.all(senders);
    const exit = await api.exited;
    agent.destroy();

    expect(
      answers.filter((answer) => answer.status === 201).length,
    ).toBeGreaterThan(0);
    const acceptedAfter = answers.filter(
      (answer) => answer.sentAt > shutdownBeganAt && answer.status === 201,
    );
    expect(acceptedAfter).toEqual([]);
    expect(answers.map((answer) => answer.status)).not.toContain(500);
    expect(exit.code).toBe(0);
    expect(exit.at - shutdownBeganAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  }, 150_000);

  it('exits 1 at the deadline when a request never finishes', async () => {
    api = await startApi(dataDir);
    // A request whose body never arrives: the server waits for it, forever if let.
    const stuck = connect(api.port, '127.0.0.1');
    stuck.on('error', () => undefined);
    await new Promise((done) => stuck.once('connect', done));
    stuck.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
    );
    await new Promise((done) => setTimeout(done, 300));

    api.process.kill('SIGTERM');
    const shutdownBeganAt = await api.waitFor('SIGTERM:', 5_000);
    const exit = await api.exited;
    stuck.destroy();

    expect(exit.code).toBe(1);
    expect(exit.at - shutdownBeganAt).toBeGreaterThanOrEqual(
      SHUTDOWN_TIMEOUT_MS - 100,
    );
    expect(exit.at - shutdownBeganAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
    expect(api.output()).toContain('Shutdown took longer than 3000 ms');
  }, 150_000);
});
