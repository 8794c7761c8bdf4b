import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiReplicaBlock,
  readRepositoryFile,
  REPOSITORY_ROOT,
} from './deployment-files';

const ENV_EXAMPLE = 'deploy/instantchat.env.example';
const compose = readRepositoryFile('docker-compose.yml');

/**
 * Runs docker-compose (Debian's 1.29.2 in CI) on the repository's compose file with only `envFile`
 * as its variables: the caller's environment is left out, so nothing set on this machine helps.
 */
function dockerCompose(envFile: string, ...args: string[]) {
  const result = spawnSync(
    'docker-compose',
    ['--env-file', envFile, '-f', 'docker-compose.yml', ...args],
    {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() },
      encoding: 'utf8',
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const composeInstalled =
  spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).error ===
  undefined;
const inCi = process.env['CI'] === 'true';

/** One service's lines of docker-compose.yml, up to the next service. */
function serviceBlock(name: string): string {
  const start = compose.indexOf(`\n  ${name}:\n`);
  if (start < 0) throw new Error(`docker-compose.yml has no service ${name}`);
  const next = /\n {2}\S/.exec(compose.slice(start + 1));
  return compose.slice(start, next ? start + 1 + next.index : undefined);
}

if (!composeInstalled && !inCi) {
  console.warn(
    'docker-compose is not installed: skipping the compose file checks that need it ' +
      '(apt-get install -y docker-compose; CI installs it and fails without it).',
  );
}

describe('docker-compose.yml', () => {
  if (inCi) {
    it('can be checked: docker-compose is installed (CI must not skip)', () => {
      expect(composeInstalled).toBe(true);
    });
  }

  const withCompose = composeInstalled ? it : it.skip;

  withCompose('renders with the example environment', () => {
    const result = dockerCompose(ENV_EXAMPLE, 'config', '-q');
    expect(result).toEqual({ status: 0, output: '' });
  });

  withCompose(
    'renders with the sandbox profile, the only service behind a profile being the sandbox',
    () => {
      expect(
        dockerCompose(ENV_EXAMPLE, '--profile', 'sandbox', 'config', '-q'),
      ).toEqual({ status: 0, output: '' });
      const rendered = dockerCompose(ENV_EXAMPLE, 'config').output;
      expect([...rendered.matchAll(/^ {4}profiles:\n {4}- (\S+)$/gm)]).toEqual([
        expect.arrayContaining(['sandbox']),
      ]);
      const sandbox = rendered.slice(rendered.indexOf('\n  meta-sandbox:\n'));
      expect(sandbox).toMatch(/^ {4}profiles:\n {4}- sandbox$/m);
    },
  );

  withCompose('refuses to render without a required secret, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'instantchat-compose-'));
    try {
      const envFile = join(dir, 'missing-secret.env');
      writeFileSync(
        envFile,
        readRepositoryFile(ENV_EXAMPLE).replace(/^JWT_SECRET=.*$/m, ''),
      );
      const result = dockerCompose(envFile, 'config', '-q');
      expect(result.status).not.toBe(0);
      expect(result.output).toContain('set JWT_SECRET');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes every variable the API reads to its replicas', () => {
    const config = readRepositoryFile('apps/api/src/app/config/app-config.ts');
    const list = /ENV_VARIABLES = \[([^\]]*)\]/.exec(config)?.[1] ?? '';
    const variables = [...list.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(20);
    const block = apiReplicaBlock(compose);
    const missing = variables.filter(
      (name) => !new RegExp(`^ {4}${name}:`, 'm').test(block),
    );
    expect(missing).toEqual([]);
  });

  it('has every variable it reads listed in the example environment', () => {
    const example = readRepositoryFile(ENV_EXAMPLE);
    const read = new Set(
      [...compose.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]),
    );
    const missing = [...read].filter(
      (name) => !new RegExp(`^${name}=`, 'm').test(example),
    );
    expect(missing).toEqual([]);
  });

  it('publishes no MongoDB or Redis port and keeps them on the internal network', () => {
    for (const name of ['mongo', 'redis']) {
      const block = serviceBlock(name);
      expect(block).toContain('networks:\n      - data');
      expect(block).not.toMatch(/ports:/);
    }
    expect(compose).toMatch(/networks:\n {2}[\s\S]*data:\n {4}internal: true/);
  });

  it('sends the proxy to exactly the API replicas it defines', () => {
    const nginx = readRepositoryFile('deploy/nginx.conf');
    const upstreams = [...nginx.matchAll(/^\s*server (\S+):3000\b/gm)].map(
      (m) => m[1],
    );
    const replicas = [...compose.matchAll(/^ {2}(\S+): \*api$/gm)].map(
      (m) => m[1],
    );
    expect(upstreams).toEqual(['api-1', 'api-2']);
    expect(replicas).toEqual(upstreams);
    expect(compose).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
  });
});
