import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SandboxWorld } from './world';
import type { WorldSnapshot } from './world-model';

/**
 * Keeps the sandbox's world on disk so that restarting the one-command run does not invalidate
 * the tokens the API stored (which would force every developer to reconnect Instagram).
 */
export class StateFile {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly world: SandboxWorld,
    private readonly log: (line: string) => void,
  ) {}

  /** Loads a previous state if there is one; a corrupt file is reported and ignored. */
  load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return;
    }
    try {
      this.world.restore(JSON.parse(text) as WorldSnapshot);
      this.log(`restored state from ${this.path}`);
    } catch (err) {
      this.log(
        `ignoring unreadable state file ${this.path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** Coalesces bursts of changes into one write. */
  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveNow();
    }, 100);
  }

  saveNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temporary = `${this.path}.tmp`;
      // Written then renamed, so a crash mid-write never leaves half a file behind.
      writeFileSync(temporary, JSON.stringify(this.world.toSnapshot()), {
        mode: 0o600,
      });
      renameSync(temporary, this.path);
    } catch (err) {
      this.log(
        `could not save state to ${this.path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
