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
});
