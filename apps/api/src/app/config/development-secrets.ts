import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
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
  if (existsSync(file)) return readSecretsFile(file);

  const secrets = generateSecrets();
  mkdirSync(dataDir, { recursive: true });
  const contents: SecretsFile = {
    jwtSecret: secrets.jwtSecret,
    tokenEncryptionKey: secrets.tokenEncryptionKey.toString('base64'),
  };
  // Written whole to a private temporary file, then hard-linked into place: the link either
  // creates the complete file or fails because another process (a second API, a parallel test)
  // got there first. Nobody reads a half-written file, and both processes use the same secrets.
  const temporary = join(
    dataDir,
    `.${SECRETS_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}`,
  );
  try {
    writeFileSync(temporary, `${JSON.stringify(contents, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(temporary, 0o600);
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readSecretsFile(file);
  } finally {
    rmSync(temporary, { force: true });
  }
  warn(`generated development secrets into ${file}`);
  return secrets;
}

function readSecretsFile(file: string): DevelopmentSecrets {
  const damaged = new Error(
    `${file} is damaged; delete it to generate new development secrets`,
  );
  let stored: Partial<SecretsFile> | null;
  try {
    stored = JSON.parse(
      readFileSync(file, 'utf8'),
    ) as Partial<SecretsFile> | null;
  } catch {
    throw damaged;
  }
  const tokenEncryptionKey = Buffer.from(
    typeof stored?.tokenEncryptionKey === 'string'
      ? stored.tokenEncryptionKey
      : '',
    'base64',
  );
  if (
    typeof stored?.jwtSecret !== 'string' ||
    stored.jwtSecret.length < 32 ||
    tokenEncryptionKey.length !== 32
  ) {
    throw damaged;
  }
  warn(`using the development secrets kept in ${file}`);
  return { jwtSecret: stored.jwtSecret, tokenEncryptionKey };
}

function warn(what: string): void {
  new Logger('Config').warn(
    `JWT_SECRET or TOKEN_ENCRYPTION_KEY is not set: ${what}. Set both in production.`,
  );
}
