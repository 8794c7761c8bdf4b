import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AppConfigModule } from '../app/config/app-config.module';
import { loadConfig } from '../app/config/load-config';
import { createApp, type HttpApp } from './create-app';

@Controller('webhook')
class WebhookProbeController {
  @Get('instagram')
  verify() {
    return { reached: 'webhook' };
  }

  @Post('instagram')
  receive(@Body() body: unknown) {
    return {
      isRawBytes: Buffer.isBuffer(body),
      raw: Buffer.isBuffer(body) ? body.toString('utf8') : null,
    };
  }
}

@Controller('things')
class ThingsController {
  @Get()
  list() {
    return ['a thing'];
  }
}

describe('configureApp', () => {
  let webDistDir: string;
  let app: HttpApp;

  beforeAll(async () => {
    webDistDir = mkdtempSync(join(tmpdir(), 'instantchat-web-'));
    mkdirSync(join(webDistDir, 'assets'));
    writeFileSync(
      join(webDistDir, 'index.html'),
      '<!doctype html><title>dashboard</title>',
    );
    writeFileSync(
      join(webDistDir, 'main-ABC123.js'),
      'console.log("dashboard")',
    );
    // Files under the server's own paths are never served: those paths are not the dashboard's.
    mkdirSync(join(webDistDir, 'api'));
    writeFileSync(join(webDistDir, 'api', 'health'), 'dashboard file');

    const config = loadConfig(
      { NODE_ENV: 'test', LOG_LEVEL: 'error', WEB_DIST_DIR: webDistDir },
      { cwd: process.cwd() },
    );
    @Module({
      imports: [AppConfigModule.forRoot(config)],
      controllers: [WebhookProbeController, ThingsController],
    })
    class ProbeModule {}

    app = await createApp(config, ProbeModule);
    await app.init();
    // Fastify answers only once its plugins and hooks are loaded (listen() waits for that too).
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(webDistDir, { recursive: true, force: true });
  });

  const http = () => request(app.getHttpServer());

  it('serves controllers under /api', async () => {
    await http().get('/api/things').expect(200, ['a thing']);
  });

  it('keeps the webhook outside /api, where Meta is configured to call it', async () => {
    await http().get('/webhook/instagram').expect(200, { reached: 'webhook' });
    await http().get('/api/webhook/instagram').expect(404);
  });

  it('hands the webhook its exact request bytes, unparsed, for the signature check', async () => {
    const payload = '{"object":"instagram",  "entry":[]}';
    const response = await http()
      .post('/webhook/instagram')
      .set('Content-Type', 'application/json')
      .send(payload)
      .expect(201);
    expect(response.body).toEqual({ isRawBytes: true, raw: payload });
  });

  it('gives the webhook a body limit of its own, above the API’s', async () => {
    const large = JSON.stringify({
      object: 'instagram',
      pad: 'x'.repeat(300_000),
    });
    await http()
      .post('/webhook/instagram')
      .set('Content-Type', 'application/json')
      .send(large)
      .expect(201);
  });

  it('serves the built dashboard and its files', async () => {
    const page = await http().get('/').expect(200);
    expect(page.text).toContain('<title>dashboard</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = await http().get('/main-ABC123.js').expect(200);
    expect(script.text).toContain('dashboard');
  });

  it('answers client-side routes with index.html so reloads land in the app', async () => {
    const page = await http()
      .get('/conversations/42')
      .set('Accept', 'text/html')
      .expect(200);
    expect(page.text).toContain('<title>dashboard</title>');
  });

  it('never answers API, socket or webhook paths with the dashboard', async () => {
    const api = await http().get('/api/nope').expect(404);
    expect(api.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /api/nope',
    });
    await http().get('/webhook/unknown').expect(404);
    const socket = await http().get('/socket.io/nope').expect(404);
    expect(socket.text).not.toContain('dashboard');
  });

  it('does not look for dashboard files under API paths, in any letter case', async () => {
    for (const path of ['/api/health', '/API/health']) {
      const response = await http().get(path).expect(404);
      expect(response.text).not.toContain('dashboard');
    }
  });

  it('allows the stylesheet loader of Angular builds in the Content-Security-Policy', async () => {
    const page = await http().get('/').expect(200);
    expect(page.headers['content-security-policy']).toContain(
      "script-src-attr 'unsafe-hashes' 'sha256-",
    );
  });

  it('lets the chat window show pictures and play videos and voice messages from Meta’s CDN, over HTTPS only', async () => {
    const policy = String(
      (await http().get('/').expect(200)).headers['content-security-policy'],
    );
    expect(policy).toContain("img-src 'self' data: https:");
    expect(policy).toContain("media-src 'self' https:");
    expect(policy).not.toMatch(/media-src[^;]*http:/);
  });
});
