import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dashboardDir,
  type RunningProcess,
  startBuiltApi,
  startReferenceServer,
} from './built-api';

/**
 * One bench's scratch space: a fresh temporary directory (the API's DATA_DIR under it) and the
 * processes started for the bench. `close` stops them and deletes the directory.
 */
export class BenchScratch {
  readonly tempDir = mkdtempSync(join(tmpdir(), 'instantchat-bench-'));
  readonly dataDir = join(this.tempDir, 'data');
  private readonly running: RunningProcess[] = [];

  constructor(private readonly workspaceRoot: string) {}

  /** The built API on this scratch's DATA_DIR (startBuiltApi), with a bench's extra variables. */
  async startApi(env: Record<string, string> = {}): Promise<RunningProcess> {
    return this.track(
      await startBuiltApi(
        this.workspaceRoot,
        this.dataDir,
        dashboardDir(this.workspaceRoot, this.tempDir),
        env,
      ),
    );
  }

  /** One of the reference servers beside this file (startReferenceServer). */
  async startReference(
    script: string,
    env: Record<string, string> = {},
  ): Promise<RunningProcess> {
    return this.track(
      await startReferenceServer(this.workspaceRoot, script, env),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.running.map((p) => p.stop()));
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  private track(process: RunningProcess): RunningProcess {
    this.running.push(process);
    return process;
  }
}
