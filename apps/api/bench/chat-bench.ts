/**
 * The chat API's hot paths, measured against this machine's own limit.
 *
 * Runs the built API the way `npm start` does (dist/apps/api/main.js, embedded database, secrets
 * generated into a fresh DATA_DIR under the system's temp dir; no Meta sandbox), then measures:
 *   - sends: 32 concurrent REST senders, each in its own conversation (autocannon);
 *   - send → recipient's socket: 500 sends/s offered on a fixed schedule over 100 conversations,
 *     timed from the scheduled send to `message:new` on the recipient's socket (socket.io-client);
 *   - history: the newest 50 messages of a conversation holding 10k and one holding 100k, one
 *     request at a time, interleaved with the same page from the bare reference below;
 *   - `GET /api/auth/me` with 16 connections, against a bare Node `http` server measured in the same
 *     run that verifies the same token and answers from a Map (bare-jwt-server.ts; it answers the
 *     history pages too, with the bodies the API gave for them).
 * Sends are measured after 3 s of unmeasured sends (steady state). Prints a table; answers false
 * when a target is missed. Takes about two minutes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchScratch } from './bench-scratch';
import { describeMachine, log, printTable, type Row } from './bench-report';
import {
  HISTORY_SIZES,
  createPeopleAndConversations,
} from './chat-bench-setup';
import {
  measureHistory,
  measureMe,
  measureSends,
  measureSendToSocket,
  readHistoryPages,
} from './chat-measures';
import { seedHistories } from './history-seed';

export async function runChatBench(workspaceRoot: string): Promise<boolean> {
  const machine = describeMachine();
  const scratch = new BenchScratch(workspaceRoot);
  const dataDir = scratch.dataDir;
  try {
    log('starting the API and creating users and conversations');
    let api = await scratch.startApi();
    const setup = await createPeopleAndConversations(api.baseUrl);
    await api.stop();

    log(`seeding ${HISTORY_SIZES.join(' and ')} messages of history`);
    await seedHistories(
      dataDir,
      HISTORY_SIZES.map((messages, i) => ({
        conversationId: setup.historyConversationIds[i],
        senderUserId: setup.senders[1].id,
        messages,
      })),
    );
    api = await scratch.startApi();

    const rows: Row[] = [];
    log('starting the bare reference');
    const jwtSecret = (
      JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
        jwtSecret: string;
      }
    ).jwtSecret;
    const pagesFile = join(scratch.tempDir, 'history-pages.json');
    writeFileSync(
      pagesFile,
      JSON.stringify(await readHistoryPages(api.baseUrl, setup)),
    );
    const bare = await scratch.startReference('bare-jwt-server.ts', {
      BENCH_JWT_SECRET: jwtSecret,
      BENCH_USERS: JSON.stringify(setup.senders.map((p) => p.user)),
      BENCH_PAGES_FILE: pagesFile,
    });
    log('history pages, with the reference');
    rows.push(...(await measureHistory(api.baseUrl, bare.baseUrl, setup)));
    log('GET /api/auth/me against the bare reference');
    rows.push(...(await measureMe(api.baseUrl, bare.baseUrl, setup)));
    await bare.stop();
    log('sends, 32 concurrent');
    rows.push(...(await measureSends(api.baseUrl, setup)));
    log('send → socket at 500/s');
    rows.push(...(await measureSendToSocket(api.baseUrl, setup)));

    return printTable('InstantChat API bench', machine, rows);
  } finally {
    await scratch.close();
  }
}
