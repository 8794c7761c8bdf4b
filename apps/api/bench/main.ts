/**
 * The API's benchmarks (not part of `npm test`):
 *
 *   npm run bench                                     every project's benchmarks
 *   npx nx run api:bench                              these three; builds the API first
 *   npx nx run api:bench --args="webhook-intake"      one or some of them, by name
 *
 * Each prints a table with its reference measured in the same run; the process exits 1 when any
 * target is missed (every named bench still runs).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stopEverything } from './built-api';
import { runChatBench } from './chat-bench';
import { closeConnections } from './http-json';
import { runWebhookIntakeBench } from './webhook-intake-bench';
import { runWebhookSocketBench } from './webhook-socket-bench';

const BENCHES: Record<string, (workspaceRoot: string) => Promise<boolean>> = {
  chat: runChatBench,
  'webhook-intake': runWebhookIntakeBench,
  'webhook-socket': runWebhookSocketBench,
};
/** Per bench: a wedged run fails instead of holding the machine. */
const BENCH_LIMIT_MS = 6 * 60_000;

const WORKSPACE_ROOT = resolve(__dirname, '../../..');

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    console.error(
      `Unknown bench ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`,
    );
    return 2;
  }
  if (!existsSync(join(WORKSPACE_ROOT, 'dist/apps/api/main.js'))) {
    console.error('Build the API first: npx nx build api');
    return 1;
  }
  let allMet = true;
  for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
    const overrun = setTimeout(() => {
      console.error(
        `The ${name} bench ran longer than ${BENCH_LIMIT_MS / 1000} s`,
      );
      void stopEverything().then(() => process.exit(1));
    }, BENCH_LIMIT_MS);
    try {
      allMet = (await BENCHES[name](WORKSPACE_ROOT)) && allMet;
    } finally {
      clearTimeout(overrun);
    }
  }
  closeConnections();
  return allMet ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
