import { OAUTH_CALLBACK_PATH } from '@instantchat/meta-platform';
import { Test } from '@nestjs/testing';
import { AppConfigModule } from '../config/app-config.module';
import { loadConfig } from '../config/load-config';
import { MetaGraphClient } from './meta-graph-client';
import { MetaModule } from './meta.module';

describe('MetaModule', () => {
  it('provides a MetaGraphClient configured from the app config', async () => {
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        META_APP_ID: 'app-from-env',
        META_OAUTH_DIALOG_URL: 'http://127.0.0.1:3999/v26.0/dialog/oauth',
        META_REDIRECT_URI: `http://localhost:3000${OAUTH_CALLBACK_PATH}`,
      },
      { cwd: process.cwd() },
    );
    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule.forRoot(config), MetaModule],
    }).compile();

    const client = moduleRef.get(MetaGraphClient);
    const url = new URL(client.buildAuthorizationUrl('s1'));

    expect(`${url.origin}${url.pathname}`).toBe(
      'http://127.0.0.1:3999/v26.0/dialog/oauth',
    );
    expect(url.searchParams.get('client_id')).toBe('app-from-env');
    expect(url.searchParams.get('redirect_uri')).toBe(
      `http://localhost:3000${OAUTH_CALLBACK_PATH}`,
    );
    await moduleRef.close();
  });

  it('configures Instagram Login from META_IG_*, unless only Facebook Login is enabled', async () => {
    const clientFor = async (env: Record<string, string>) => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          AppConfigModule.forRoot(
            loadConfig({ NODE_ENV: 'test', ...env }, { cwd: process.cwd() }),
          ),
          MetaModule,
        ],
      }).compile();
      const client = moduleRef.get(MetaGraphClient);
      await moduleRef.close();
      return client;
    };
    const client = await clientFor({
      META_IG_APP_ID: 'ig-app-from-env',
      META_IG_OAUTH_URL:
        'http://127.0.0.1:3999/www.instagram.com/oauth/authorize',
    });
    const url = new URL(client.instagramLogin.buildAuthorizationUrl('s1'));
    expect(`${url.origin}${url.pathname}`).toBe(
      'http://127.0.0.1:3999/www.instagram.com/oauth/authorize',
    );
    expect(url.searchParams.get('client_id')).toBe('ig-app-from-env');

    const facebookOnly = await clientFor({ META_LOGIN_METHODS: 'facebook' });
    expect(() => facebookOnly.instagramLogin).toThrow('not configured');
  });
});
