import {
  mkdtempSync,
  readdirSync,
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
    jest.restoreAllMocks();
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

  it('refuses a truncated file with the same advice', () => {
    loadOrCreateDevelopmentSecrets(dataDir);
    writeFileSync(join(dataDir, SECRETS_FILE_NAME), '{"jwtSecret": "abc');
    expect(() => loadOrCreateDevelopmentSecrets(dataDir)).toThrow(/damaged/);
  });

  it('uses the secrets of a process that wrote them first, instead of failing or diverging', () => {
    const winner = {
      jwtSecret: 'w'.repeat(64),
      tokenEncryptionKey: Buffer.alloc(32, 9).toString('base64'),
    };
    // The module under test calls node:fs through its exports object, so a spy there intercepts it.
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const realLink = fs.linkSync;
    // The other process finishes its write between our existence check and our link.
    jest.spyOn(fs, 'linkSync').mockImplementation((from, to) => {
      writeFileSync(to, JSON.stringify(winner), { mode: 0o600 });
      realLink(from, to);
    });
    const secrets = loadOrCreateDevelopmentSecrets(dataDir);
    expect(secrets).toEqual({
      jwtSecret: winner.jwtSecret,
      tokenEncryptionKey: Buffer.alloc(32, 9),
    });
    expect(readdirSync(dataDir)).toEqual([SECRETS_FILE_NAME]);
  });

  it('leaves no temporary file behind', () => {
    loadOrCreateDevelopmentSecrets(dataDir);
    expect(readdirSync(dataDir)).toEqual([SECRETS_FILE_NAME]);
  });
});
