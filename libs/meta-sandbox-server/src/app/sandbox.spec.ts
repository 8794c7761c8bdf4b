import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMetaSandbox, type MetaSandbox } from './sandbox';
import { graphCaller, httpJson } from '../testing/sandbox-client';

const APP = { appId: 'app', appSecret: 'secret', redirectUris: [] };
const PAGE = '109876543210001';
const ANNA = '1914357145407531';

describe('startMetaSandbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meta-sandbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps tokens and conversations across a restart when given a state file', async () => {
    const stateFile = join(dir, 'state.json');
    let sandbox: MetaSandbox = await startMetaSandbox({ ...APP, stateFile });
    let graph = graphCaller(sandbox.graphUrl, APP.appSecret);
    const user = await httpJson(`${sandbox.url}/_sandbox/tokens`, {
      method: 'POST',
      body: { pageIds: [PAGE] },
    });
    const pageToken = (await graph.get('/me/accounts', user.json.access_token))
      .json.data[0].access_token;
    await httpJson(`${sandbox.url}/_sandbox/events`, {
      method: 'POST',
      body: { type: 'text', user: ANNA, text: 'hi' },
    });
    await sandbox.stop();

    sandbox = await startMetaSandbox({ ...APP, stateFile });
    try {
      graph = graphCaller(sandbox.graphUrl, APP.appSecret);
      const sent = await graph.post('/me/messages', pageToken, {
        recipient: { id: ANNA },
        message: { text: 'still connected' },
      });
      expect(sent.status).toBe(200);
    } finally {
      await sandbox.stop();
    }
  });

  it('starts from the seed when the state file is unreadable', async () => {
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, '{ not json');
    const lines: string[] = [];
    const sandbox = await startMetaSandbox({
      ...APP,
      stateFile,
      log: (l) => lines.push(l),
    });
    try {
      expect(
        (await httpJson(`${sandbox.url}/_sandbox/instagram-users`)).json.data,
      ).toHaveLength(2);
      expect(lines.join('\n')).toContain('ignoring unreadable state file');
    } finally {
      await sandbox.stop();
    }
  });

  describe('HTTP behaviour', () => {
    let sandbox: MetaSandbox;
    beforeAll(async () => {
      sandbox = await startMetaSandbox(APP);
    });
    afterAll(() => sandbox.stop());

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await fetch(`${sandbox.url}/_sandbox/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":',
      });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toContain('not valid JSON');
    });

    it("answers a malformed Graph body with Meta's #100 error", async () => {
      const res = await fetch(`${sandbox.graphUrl}/me/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[1,',
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe(100);
    });

    it('answers a field name a header cannot hold with #100, and keeps serving', async () => {
      const user = await httpJson(`${sandbox.url}/_sandbox/tokens`, {
        method: 'POST',
        body: { pageIds: [PAGE] },
      });
      const graph = graphCaller(sandbox.graphUrl, APP.appSecret);
      for (const fields of ['name,\u{1F600}', 'na\rme']) {
        const res = await graph.get('/me', user.json.access_token, { fields });
        expect(res.status).toBe(400);
        expect(res.json.error.code).toBe(100);
        expect(res.headers.get('www-authenticate')).toMatch(/^OAuth /);
      }
    });

    it('refuses cross-origin writes to the control API, so no web page can drive it', async () => {
      const before = (await httpJson(`${sandbox.url}/_sandbox/instagram-users`))
        .json.data.length;
      const res = await fetch(`${sandbox.url}/_sandbox/instagram-users`, {
        method: 'POST',
        headers: {
          origin: 'https://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'username=intruder',
      });
      expect(res.status).toBe(403);
      expect(
        (await httpJson(`${sandbox.url}/_sandbox/instagram-users`)).json.data,
      ).toHaveLength(before);
      const sameOrigin = await httpJson(
        `${sandbox.url}/_sandbox/instagram-users`,
        {
          method: 'POST',
          body: { username: 'neighbour' },
          headers: { origin: sandbox.url },
        },
      );
      expect(sameOrigin.status).toBe(201);
    });

    it('answers 404 and 405 on the control API', async () => {
      expect((await fetch(`${sandbox.url}/_sandbox/nothing`)).status).toBe(404);
      expect((await fetch(`${sandbox.url}/_sandbox/reset`)).status).toBe(405);
    });

    it('validates control API input', async () => {
      const cases: [string, string, unknown][] = [
        ['POST', '/instagram-users', { username: 'no spaces allowed' }],
        ['POST', '/faults', { kind: 'meteor' }],
        ['POST', '/faults', { kind: 'slow', delayMs: -1 }],
        ['POST', '/clock', {}],
        ['POST', '/tokens/expire', { reason: 'boredom' }],
        ['PUT', '/webhooks/callback', { url: 'ftp://nope' }],
      ];
      for (const [method, path, body] of cases) {
        const res = await httpJson(`${sandbox.url}/_sandbox${path}`, {
          method,
          body,
        });
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.json.message).toEqual(expect.any(String));
      }
    });

    it('serves the pages for people', async () => {
      expect((await fetch(`${sandbox.url}/`)).status).toBe(200);
      const page = await fetch(`${sandbox.url}/instagram`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('@bluejacket.store');
    });
  });
});
