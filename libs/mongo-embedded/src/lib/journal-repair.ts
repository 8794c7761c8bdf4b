import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock, DATA_FILE_MODE, fsyncDir, releaseLock } from './data-dir';
import {
  JOURNAL_FILE,
  MAGIC,
  nextIntactRecord,
  recordProblem,
  recordSize,
} from './journal-format';

/** A stretch of the journal that held no intact record and was left out. */
export interface DamagedRange {
  offset: number;
  length: number;
  problem: string;
}

export interface JournalRepairReport {
  /** The journal the server will open: the intact records, in their original order. */
  journal: string;
  /** The original, renamed and kept byte for byte; undefined when nothing was damaged. */
  original: string | undefined;
  intactRecords: number;
  damaged: DamagedRange[];
}

/**
 * Salvages the journal in `dbPath` after mid-file corruption (the server refused to start and
 * named the offset): every intact record, before and after each damaged range, is copied in order
 * into a new journal, and the original is kept beside it as `journal.bin.damaged-<time>`. A record
 * whose own bytes are damaged is lost; nothing else is. Refuses while a server holds the dbPath.
 */
export function repairJournal(dbPath: string): JournalRepairReport {
  const dir = path.resolve(dbPath);
  const file = path.join(dir, JOURNAL_FILE);
  if (!fs.existsSync(file))
    throw new Error(`mongo-embedded: no journal at ${file}`);
  acquireLock(dir);
  try {
    const data = fs.readFileSync(file);
    const intact: Buffer[] = [];
    const damaged: DamagedRange[] = [];
    let offset = data.subarray(0, MAGIC.length).equals(MAGIC)
      ? MAGIC.length
      : 0;
    if (offset === 0)
      damaged.push({ offset: 0, length: 0, problem: 'missing journal header' });
    while (offset < data.length) {
      const problem = recordProblem(data, offset);
      if (problem === undefined) {
        const size = recordSize(data, offset);
        intact.push(data.subarray(offset, offset + size));
        offset += size;
        continue;
      }
      const next = nextIntactRecord(data, offset) ?? data.length;
      const last = damaged[damaged.length - 1];
      if (last && last.offset + last.length === offset)
        last.length += next - offset;
      else damaged.push({ offset, length: next - offset, problem });
      offset = next;
    }
    if (damaged.length === 0)
      return {
        journal: file,
        original: undefined,
        intactRecords: intact.length,
        damaged,
      };

    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const original = `${file}.damaged-${stamp}`;
    const repaired = `${file}.repaired`;
    const fd = fs.openSync(repaired, 'w', DATA_FILE_MODE);
    try {
      fs.writeSync(fd, Buffer.concat([MAGIC, ...intact]));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(file, original);
    fs.renameSync(repaired, file);
    fsyncDir(dir);
    return { journal: file, original, intactRecords: intact.length, damaged };
  } finally {
    releaseLock(dir);
  }
}
