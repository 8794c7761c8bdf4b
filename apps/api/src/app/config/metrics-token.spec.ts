import type { EnvironmentVariables } from './app-config';
import { ConfigValidationError, loadConfig } from './load-config';

const load = (env: EnvironmentVariables) =>
  loadConfig(env, { cwd: '/srv/instantchat' });

describe('METRICS_TOKEN', () => {
  it('leaves metrics unserved when unset', () => {
    expect(load({ NODE_ENV: 'test' }).metrics).toEqual({});
  });

  it('reads a token of 16 printable characters or more', () => {
    const token = 'scrape-me-0123456789abcdef';
    expect(load({ NODE_ENV: 'test', METRICS_TOKEN: token }).metrics).toEqual({
      token,
    });
  });

  it('refuses a short token, or one with spaces, without repeating it', () => {
    for (const token of ['short-token', 'has spaces in the middle of it']) {
      const refused = (() => {
        try {
          return load({ NODE_ENV: 'test', METRICS_TOKEN: token });
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(ConfigValidationError);
      const { problems } = refused as ConfigValidationError;
      expect(problems).toEqual([
        'METRICS_TOKEN: must be at least 16 printable characters without spaces (e.g. `openssl rand -hex 24`)',
      ]);
      expect(problems.join('\n')).not.toContain(token);
    }
  });
});
