import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface DevelopmentSecrets {
  jwtSecret: string;
  tokenEncryptionKey: Buffer;
}

interface SecretsFile {
  jwtSecret: string;
  /** base64 */
  tokenEncryptionKey: string;
}

export const SECRETS_FILE_NAME = 'secrets.json';

export function generateSecrets(): DevelopmentSecrets {
  return {
    jwtSecret: randomBytes(48).toString('base64url'),
    tokenEncryptionKey: randomBytes(32),
  };
}

/**
 * Outside production, missing secrets are generated once and kept in DATA_DIR/secrets.json
 * (readable by the owner only), so logins and encrypted tokens survive a restart.
 */
export function loadOrCreateDevelopmentSecrets(
  dataDir: string,
): DevelopmentSecrets {
  const file = join(dataDir, SECRETS_FILE_NAME);
  if (existsSync(file)) {
    const stored = JSON.parse(
      readFileSync(file, 'utf8'),
    ) as Partial<SecretsFile>;
    const tokenEncryptionKey = Buffer.from(
      stored.tokenEncryptionKey ?? '',
      'base64',
    );
    if (
      typeof stored.jwtSecret === 'string' &&
      stored.jwtSecret.length >= 32 &&
      tokenEncryptionKey.length === 32
    ) {
      warn(`using the development secrets kept in ${file}`);
      return { jwtSecret: stored.jwtSecret, tokenEncryptionKey };
    }
    throw new Error(
      `${file} is damaged; delete it to generate new development secrets`,
    );
  }

  const secrets = generateSecrets();
  mkdirSync(dataDir, { recursive: true });
  const contents: SecretsFile = {
    jwtSecret: secrets.jwtSecret,
    tokenEncryptionKey: secrets.tokenEncryptionKey.toString('base64'),
  };
  writeFileSync(file, `${JSON.stringify(contents, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  chmodSync(file, 0o600);
  warn(`generated development secrets into ${file}`);
  return secrets;
}

function warn(what: string): void {
  new Logger('Config').warn(
    `JWT_SECRET or TOKEN_ENCRYPTION_KEY is not set: ${what}. Set both in production.`,
  );
}
