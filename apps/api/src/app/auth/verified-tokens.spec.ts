import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  let now: number;
  let tokens: VerifiedTokens;

  beforeEach(() => {
    now = 1_000_000;
    tokens = new VerifiedTokens(2, () => now);
  });

  it('knows nothing of a token it was not given', () => {
    expect(tokens.subjectOf('a.b.c')).toBeUndefined();
  });

  it('answers the subject of a remembered token until the instant it expires', () => {
    tokens.remember('a.b.c', 'ada', now + 1_000);
    now += 999;
    expect(tokens.subjectOf('a.b.c')).toBe('ada');
    now += 1;
    expect(tokens.subjectOf('a.b.c')).toBeUndefined();
  });

  it('matches the exact token only', () => {
    tokens.remember('a.b.c', 'ada', now + 1_000);
    expect(tokens.subjectOf('a.b.C')).toBeUndefined();
    expect(tokens.subjectOf('a.b.c ')).toBeUndefined();
  });

  it('forgets the oldest token when full', () => {
    tokens.remember('one', 'ada', now + 1_000);
    tokens.remember('two', 'bob', now + 1_000);
    tokens.remember('three', 'cy', now + 1_000);
    expect(tokens.subjectOf('one')).toBeUndefined();
    expect(tokens.subjectOf('two')).toBe('bob');
    expect(tokens.subjectOf('three')).toBe('cy');
  });
});
