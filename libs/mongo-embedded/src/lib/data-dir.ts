import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The `dbPath` directory itself: who may read it (only this user: the journal holds every
 * document, password hashes and tokens included), which process owns it (a lock file with its
 * pid), making a rename inside it durable, and writing a whole buffer to a file in it.
 */

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;
const LOCK_FILE = 'mongo-embedded.lock';

/**
 * Creates `dir` if needed and narrows the permissions of it and of every file directly in it
 * (an older version created them world-readable). A permission it cannot change is reported, not
 * fatal: the data stays usable, and the warning tells the operator what to fix.
 */
export async function preparePrivateDataDir(
  dir: string,
  log: (msg: string) => void,
): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: DATA_DIR_MODE });
  restrictMode(dir, DATA_DIR_MODE, log);
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true }))
    if (entry.isFile())
      restrictMode(path.join(dir, entry.name), DATA_FILE_MODE, log);
}

/** Sets `mode` on `file` if it has any other permission bits, saying so. */
export function restrictMode(
  file: string,
  mode: number,
  log: (msg: string) => void,
): void {
  try {
    const current = fs.statSync(file).mode & 0o777;
    if (current === mode) return;
    fs.chmodSync(file, mode);
    log(
      `tightened the permissions of ${file} from ${octal(current)} to ${octal(mode)}`,
    );
  } catch (err) {
    log(
      `WARNING: could not set the permissions of ${file} to ${octal(mode)}: ${(err as Error).message}`,
    );
  }
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/**
 * Writes all of `buf` to `fd` at `position`: a write may take only part of it, so the rest is
 * written until nothing is left. Not synced: the caller syncs once for everything it wrote.
 */
export function writeAll(
  fd: number,
  buf: Buffer,
  position: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (written: number) => {
      if (written >= buf.length) return resolve();
      fs.write(
        fd,
        buf,
        written,
        buf.length - written,
        position + written,
        (err, n) => (err ? reject(err) : step(written + n)),
      );
    };
    step(0);
  });
}

/** Marks `dir` as used by this process; refuses when a live process already holds it. */
export function acquireLock(dir: string): void {
  const lock = path.join(dir, LOCK_FILE);
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8').trim());
    if (pid && pid !== process.pid && isAlive(pid))
      throw new Error(
        `mongo-embedded: dbPath ${dir} is in use by process ${pid} (remove ${lock} if that is wrong)`,
      );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lock, String(process.pid), { mode: DATA_FILE_MODE });
}

export function releaseLock(dir: string): void {
  try {
    fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
  } catch {
    // nothing to release
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
