import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMetaSandbox, type MetaSandbox } from './sandbox';
import {
  graphCaller,
  httpJson,
  type GraphCaller,
} from '../testing/sandbox-client';

const APP_ID = 'test-app-id';
const APP_SECRET = 'test-app-secret';
const ACCOUNT = '17841405822304914';
const PAGE = '109876543210001';
const ANNA = '1914357145407531';
const MiB = 1024 * 1024;

/**
 * Serves media of a given size on loopback, as a CDN would: `HEAD` answers its Content-Length;
 * `/streamed/` paths answer `HEAD` without one, so the size is only known by downloading.
 */
async function startMediaServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const bytes = Number(
      new URL(req.url ?? '/', 'http://x').searchParams.get('bytes'),
    );
    const streamed = req.url?.startsWith('/streamed/') ?? false;
    if (req.method === 'HEAD') {
      res.writeHead(200, streamed ? {} : { 'content-length': String(bytes) });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const part = chunk.subarray(0, Math.min(chunk.length, left));
        left -= part.length;
        if (!res.write(part)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => (left = 0));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

describe('Send API limits, as Meta enforces them', () => {
  let sandbox: MetaSandbox;
  let graph: GraphCaller;
  let pageToken: string;
  let media: { url: string; server: Server };

  const control = (method: string, path: string, body?: unknown) =>
    httpJson(`${sandbox.url}/_sandbox${path}`, { method, body });
  const send = (message: unknown) =>
    graph.post('/me/messages', pageToken, { recipient: { id: ANNA }, message });

  beforeAll(async () => {
    media = await startMediaServer();
  });
  afterAll(async () => {
    media.server.closeAllConnections();
    await new Promise((resolve) => media.server.close(resolve));
  });
  beforeEach(async () => {
    sandbox = await startMetaSandbox({
      appId: APP_ID,
      appSecret: APP_SECRET,
      redirectUris: [],
    });
    graph = graphCaller(sandbox.graphUrl, APP_SECRET);
    const user = await control('POST', '/tokens', { pageIds: [PAGE] });
    const pages = await graph.get('/me/accounts', user.json.access_token);
    pageToken = pages.json.data[0].access_token;
    const wrote = await control('POST', '/events', {
      type: 'text',
      user: ANNA,
      account: ACCOUNT,
      text: 'Hi!',
    });
    expect(wrote.status).toBe(202);
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  describe('text', () => {
    it('counts characters, not bytes: 1,000 four-byte emoji are accepted', async () => {
      const res = await send({ text: '👍'.repeat(1000) });
      expect(res.status).toBe(200);
    });

    it('refuses 1,001 characters with #100', async () => {
      const res = await send({ text: 'é'.repeat(1001) });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 100,
        message:
          '(#100) Length of param message[text] must be less than or equal to 1000',
      });
    });
  });

  describe('quick replies', () => {
    const quickReply = (title: string) => ({
      content_type: 'text',
      title,
      payload: `PAYLOAD_${title}`,
    });

    it('accepts 13 quick replies, titles over 20 characters included (Instagram cuts them)', async () => {
      const replies = Array.from({ length: 13 }, (_, i) =>
        quickReply(`Option ${i} with a rather long title`),
      );
      const res = await send({ text: 'Pick one', quick_replies: replies });
      expect(res.status).toBe(200);
    });

    it('refuses a 14th quick reply with #100', async () => {
      const replies = Array.from({ length: 14 }, (_, i) => quickReply(`${i}`));
      const res = await send({ text: 'Pick one', quick_replies: replies });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 100,
        message:
          '(#100) param message[quick_replies] must have at most 13 elements',
      });
    });

    it.each([
      ['a content type Instagram does not offer', { content_type: 'location' }],
      ['a text reply without a title', { content_type: 'text', payload: 'P' }],
    ])('refuses %s with #100', async (_case, reply) => {
      const res = await send({ text: 'Pick one', quick_replies: [reply] });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe(100);
    });
  });

  describe('media sizes', () => {
    const attachment = (type: string, path: string) => ({
      attachment: { type, payload: { url: `${media.url}${path}` } },
    });

    it('accepts an image of exactly 8 MiB', async () => {
      const res = await send(attachment('image', `/a.png?bytes=${8 * MiB}`));
      expect(res.status).toBe(200);
    });

    it('refuses a larger image with Meta’s 36000 / 2207004 body', async () => {
      const res = await send(
        attachment('image', `/a.png?bytes=${8 * MiB + 1}`),
      );
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({
        message: 'The image size is too large.',
        type: 'OAuthException',
        code: 36000,
        error_subcode: 2207004,
        is_transient: false,
        error_user_title: 'Image size too large',
        error_user_msg:
          'The image is too large to download. It should be less than 8 MiB.',
        fbtrace_id: expect.any(String),
      });
      const log = await control('GET', `/sent-messages?recipient=${ANNA}`);
      expect(log.json.data.at(-1).status).toBe(400);
    });

    it.each(['video', 'audio'])(
      'allows %s up to 25 MiB and refuses more with 36000',
      async (type) => {
        const fits = await send(attachment(type, `/m?bytes=${25 * MiB}`));
        expect(fits.status).toBe(200);
        const tooLarge = await send(
          attachment(type, `/m?bytes=${25 * MiB + 1}`),
        );
        expect(tooLarge.status).toBe(400);
        expect(tooLarge.json.error).toMatchObject({
          code: 36000,
          error_user_msg: `The ${type} is too large to download. It should be less than 25 MiB.`,
        });
      },
    );

    it('measures media whose size only a download tells', async () => {
      const res = await send(
        attachment('image', `/streamed/a.png?bytes=${8 * MiB + 1}`),
      );
      expect(res.json.error).toMatchObject({ code: 36000 });
      const small = await send(
        attachment('image', '/streamed/a.png?bytes=1024'),
      );
      expect(small.status).toBe(200);
    });
  });
});
