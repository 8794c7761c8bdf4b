/**
 * Index maintenance of the embedded server, on documents shaped like the chat's messages (with
 * the API's message indexes, ~20 searchTerms each):
 *   (a) µs per insert into a Collection that already holds PREFILL messages;
 *   (b) a cold start on a dbPath holding LOAD messages (a tenth of them updated once): the time
 *       startEmbeddedMongo takes until it is ready, wall and CPU.
 *
 *   SWC_NODE_PROJECT=libs/mongo-embedded/tsconfig.lib.json \
 *     node -r @swc-node/register libs/mongo-embedded/bench/index-bench.ts [--runs 3]
 *
 * `MONGO_EMBEDDED_SRC=/path/to/src` measures another copy of the library's src (e.g. the code
 * before a change, exported with git archive and a node_modules symlink), in the same way.
 * Environment: `PREFILL` (default 100000), `INSERTS` (10000), `LOAD` (110000); `DATA_DIR=dir` keeps
 * the data dir there (written once, reused by later runs, so two versions load the same journal);
 * `ONLY=insert` or `ONLY=load` runs one half.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ObjectId } from 'bson';

type CatalogModule = typeof import('../src/lib/catalog');
type JournalModule = typeof import('../src/lib/journal');
type IndexModule = typeof import('../src/index');

const SRC = path.resolve(
  process.env['MONGO_EMBEDDED_SRC'] || path.join(__dirname, '../src'),
);
const { Catalog } = require(path.join(SRC, 'lib/catalog')) as CatalogModule;
const { Journal } = require(path.join(SRC, 'lib/journal')) as JournalModule;
const { startEmbeddedMongo } = require(path.join(SRC, 'index')) as IndexModule;

const PREFILL = Number(process.env['PREFILL'] ?? 100_000);
const INSERTS = Number(process.env['INSERTS'] ?? 10_000);
const LOAD = Number(process.env['LOAD'] ?? 110_000);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

/** The API's message indexes (apps/api/src/app/chat/schemas/message.schema.ts), besides `_id`. */
const MESSAGE_INDEXES = [
  { key: { conversationId: 1, createdAt: -1, _id: -1 }, name: 'history' },
  { key: { status: 1, 'delivery.dueAt': 1 }, name: 'outbox' },
  {
    key: { searchTerms: 1, conversationId: 1, createdAt: -1 },
    name: 'search',
  },
  {
    key: { conversationId: 1, instagramMessageId: 1 },
    name: 'igMessage',
    unique: true,
    partialFilterExpression: { instagramMessageId: { $type: 'string' } },
  },
  {
    key: { senderUserId: 1, clientMessageId: 1 },
    name: 'clientMessage',
    unique: true,
    partialFilterExpression: { clientMessageId: { $type: 'string' } },
  },
];

// A deterministic pseudo-random sequence: every run (and every version) gets the same messages.
let seed = 12345;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return (seed >>> 8) % n;
};
const WORDS = Array.from({ length: 3000 }, (_, i) => {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let w = '';
  const len = 3 + ((i * 7) % 9);
  let x = i * 2654435761;
  for (let j = 0; j < len; j++) {
    w += letters[Math.abs(x) % 26];
    x = Math.floor(x / 26) + j * 31 + i;
  }
  return w;
});
const conversations = Array.from({ length: 2000 }, () => new ObjectId());
const users = Array.from({ length: 50 }, () => new ObjectId());
const T0 = Date.UTC(2026, 0, 1);

/** Every 2..20-character prefix of every word, once (as search-terms.ts stores them). */
function searchTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const word of text.split(' '))
    for (let n = 2; n <= Math.min(word.length, 20); n++)
      terms.add(word.slice(0, n));
  return [...terms];
}

function message(i: number): Record<string, unknown> {
  const words = Array.from({ length: 4 }, () => WORDS[rnd(WORDS.length)]);
  const text = words.join(' ');
  const at = new Date(T0 + i * 1000 + rnd(1000));
  const inbound = rnd(5) === 0;
  const doc: Record<string, unknown> = {
    _id: new ObjectId(),
    conversationId: conversations[rnd(conversations.length)],
    source: inbound ? 'instagram' : 'local',
    senderUserId: inbound ? null : users[rnd(users.length)],
    text,
    attachments: [],
    status: inbound ? 'delivered' : 'sent',
    error: null,
    deliveryError: null,
    reactions: [],
    deletedAt: null,
    editedAt: null,
    searchTerms: searchTerms(text),
    isFromInstagram: inbound,
    isToInstagram: false,
    createdAt: at,
    updatedAt: at,
  };
  if (inbound) doc['instagramMessageId'] = `mid.${i}.${rnd(1e9)}`;
  else doc['clientMessageId'] = `c-${i}-${rnd(1e9)}`;
  return doc;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/** (a) µs per insert after PREFILL messages are in. */
type InsertRun = { prefillUs: number; insertUs: number; insertCpuUs: number };

function insertRun(): InsertRun {
  seed = 12345;
  const catalog = new Catalog();
  const coll = catalog.ensure('bench', 'messages');
  for (const spec of MESSAGE_INDEXES) coll.createIndex({ ...spec });
  const prefill = Array.from({ length: PREFILL }, (_, i) => message(i));
  const more = Array.from({ length: INSERTS }, (_, i) => message(PREFILL + i));
  let t = performance.now();
  for (const doc of prefill) coll.insert(doc);
  const prefillUs = ((performance.now() - t) * 1000) / PREFILL;
  t = performance.now();
  const c0 = process.cpuUsage();
  for (const doc of more) coll.insert(doc);
  const insertUs = ((performance.now() - t) * 1000) / INSERTS;
  const c = process.cpuUsage(c0);
  return { prefillUs, insertUs, insertCpuUs: (c.user + c.system) / INSERTS };
}

/** Writes LOAD messages (and an update of every tenth) to a journal in `dir`. */
async function writeDataDir(dir: string): Promise<void> {
  seed = 777;
  const catalog = new Catalog();
  const journal = await Journal.open(dir, catalog, () => undefined);
  const coll = catalog.ensure('bench', 'messages');
  for (const spec of MESSAGE_INDEXES) coll.createIndex({ ...spec });
  const rids: number[] = [];
  for (let i = 0; i < LOAD; i++) {
    rids.push(coll.insert(message(i)));
    if (i % 10 === 9) {
      // A status change of a message sent a little earlier: a `put` of an existing _id.
      const rid = rids[i - 5];
      const before = coll.get(rid);
      if (before)
        coll.replace(rid, { ...before, status: 'read', updatedAt: new Date() });
    }
    if (i % 5000 === 4999) await journal.flush();
  }
  await journal.flush();
  await journal.close();
}

/** (b) time until a server on `dir` is ready, wall and CPU (ms). */
async function loadRun(dir: string): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const server = await startEmbeddedMongo({
    port: 0,
    dbPath: dir,
    log: () => undefined,
  });
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  await server.stop();
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function main() {
  console.log(`library: ${SRC}`);
  const only = process.env['ONLY'];
  const inserts: InsertRun[] = [];
  for (let r = 0; r < (only === 'load' ? 0 : RUNS); r++) {
    const x = insertRun();
    inserts.push(x);
    console.log(
      `  run ${r + 1}: prefill ${PREFILL}: ${x.prefillUs.toFixed(1)} µs/insert; next ${INSERTS}: ${x.insertUs.toFixed(1)} µs/insert (CPU ${x.insertCpuUs.toFixed(1)} µs)`,
    );
  }
  if (only === 'insert') {
    console.log(
      `median: prefill ${median(inserts.map((x) => x.prefillUs)).toFixed(1)} µs/insert, insert at ${PREFILL}: ${median(inserts.map((x) => x.insertUs)).toFixed(1)} µs/insert (CPU ${median(inserts.map((x) => x.insertCpuUs)).toFixed(1)} µs)`,
    );
    return;
  }
  const keep = process.env['DATA_DIR'];
  const dir =
    keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-index-'));
  try {
    const t = performance.now();
    if (!keep || !fs.existsSync(path.join(dir, 'journal.bin')))
      await writeDataDir(dir);
    const bytes = fs.statSync(path.join(dir, 'journal.bin')).size;
    console.log(
      `  data dir: ${(bytes / 1e6).toFixed(0)} MB journal, written (or found) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const loads: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const x = await loadRun(dir);
      loads.push(x);
      console.log(
        `  run ${r + 1}: cold load ${(x.wall / 1000).toFixed(2)} s wall, ${(x.cpu / 1000).toFixed(2)} s CPU`,
      );
    }
    console.log(
      `median: prefill ${inserts.length ? median(inserts.map((x) => x.prefillUs)).toFixed(1) : '-'} µs/insert, ` +
        `insert at ${PREFILL}: ${inserts.length ? median(inserts.map((x) => x.insertUs)).toFixed(1) : '-'} µs/insert (CPU ${inserts.length ? median(inserts.map((x) => x.insertCpuUs)).toFixed(1) : '-'} µs), ` +
        `cold load: ${(median(loads.map((x) => x.wall)) / 1000).toFixed(2)} s wall / ` +
        `${(median(loads.map((x) => x.cpu)) / 1000).toFixed(2)} s CPU`,
    );
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
