import { enabledLogLevels } from './create-app';

describe('enabledLogLevels', () => {
  it('enables LOG_LEVEL and every louder level, with Nest’s fatal always on', () => {
    expect(enabledLogLevels('log')).toEqual(['fatal', 'error', 'warn', 'log']);
  });

  it('keeps only fatal and error at the quietest level', () => {
    expect(enabledLogLevels('error')).toEqual(['fatal', 'error']);
  });

  it('enables everything at verbose', () => {
    expect(enabledLogLevels('verbose')).toEqual([
      'fatal',
      'error',
      'warn',
      'log',
      'debug',
      'verbose',
    ]);
  });
});
