import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadOrCreateDevelopmentSecrets,
  SECRETS_FILE_NAME,
} from './development-secrets';

describe('loadOrCreateDevelopmentSecrets', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = join(
      mkdtempSync(join(tmpdir(), 'instantchat-secrets-')),
      'nested',
      'data',
    );
  });

  afterEach(() => {
    rmSync(join(dataDir, '..', '..'), { recursive: true, force: true });
  });

  it('generates strong secrets into DATA_DIR/secrets.json readable by the owner only', () => {
    const secrets = loadOrCreateDevelopmentSecrets(dataDir);
    expect(secrets.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(secrets.tokenEncryptionKey).toHaveLength(32);
    expect(statSync(join(dataDir, SECRETS_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('returns the same secrets on the next boot', () => {
    const first = loadOrCreateDevelopmentSecrets(dataDir);
    const second = loadOrCreateDevelopmentSecrets(dataDir);
    expect(second).toEqual(first);
    expect(
      JSON.parse(readFileSync(join(dataDir, SECRETS_FILE_NAME), 'utf8'))
        .jwtSecret,
    ).toBe(first.jwtSecret);
  });

  it('refuses a damaged file instead of silently replacing the secrets', () => {
    loadOrCreateDevelopmentSecrets(dataDir);
    writeFileSync(
      join(dataDir, SECRETS_FILE_NAME),
      JSON.stringify({ jwtSecret: 'short' }),
    );
    expect(() => loadOrCreateDevelopmentSecrets(dataDir)).toThrow(/damaged/);
  });
});
