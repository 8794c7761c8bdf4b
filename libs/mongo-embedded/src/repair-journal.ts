/**
 * `npx nx run mongo-embedded:repair-journal --dbPath .data/db`: salvages a journal that the server
 * refused to open because of a damaged record in its middle (see lib/journal-repair.ts). Stop the
 * server first; the original journal is kept beside the new one.
 */
import { repairJournal } from './lib/journal-repair';

function dbPathFrom(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--dbPath' || flag === '--dbpath') {
      const value = inline ?? argv[i + 1];
      if (value) return value;
    }
    if (flag === '--help') {
      console.log('usage: repair-journal --dbPath DIR');
      process.exit(0);
    }
  }
  throw new Error('missing --dbPath DIR (the directory holding journal.bin)');
}

try {
  const report = repairJournal(dbPathFrom(process.argv.slice(2)));
  if (!report.original) {
    console.log(
      `journal ${report.journal} has no damaged record (${report.intactRecords} intact records); nothing changed`,
    );
  } else {
    for (const range of report.damaged)
      console.log(
        `left out ${range.length} bytes at offset ${range.offset} (${range.problem})`,
      );
    console.log(
      `kept ${report.intactRecords} intact records in ${report.journal}; the original is ${report.original}`,
    );
  }
} catch (err) {
  console.error(`repair-journal failed: ${(err as Error).message}`);
  process.exit(1);
}
