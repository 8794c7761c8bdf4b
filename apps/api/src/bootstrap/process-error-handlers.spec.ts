import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** Runs a small script in its own Node process (Jest would catch the errors itself). */
function runScript(
  body: string,
): Promise<{ code: number | null; output: string }> {
  const script = `
    require(${JSON.stringify(join(__dirname, 'process-error-handlers.ts'))}).keepProcessAliveOnEscapedErrors();
    ${body}
  `;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', '-e', script],
      { timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          output: stdout + stderr,
        }),
    );
  });
}

describe('keepProcessAliveOnEscapedErrors', () => {
  it('logs an uncaught exception and an unhandled rejection, and the process carries on', async () => {
    const { code, output } = await runScript(`
      setTimeout(() => { throw new RangeError('escaped from a handler'); });
      Promise.reject(new Error('rejected with nobody listening'));
      setTimeout(() => console.log('still serving'), 100);
    `);
    expect(output).toMatch(
      /Uncaught exception \(process kept running\): RangeError: escaped from a handler/,
    );
    expect(output).toMatch(
      /Unhandled rejection \(process kept running\): Error: rejected with nobody listening/,
    );
    expect(output).toContain('still serving');
    expect(code).toBe(0);
  });
});
