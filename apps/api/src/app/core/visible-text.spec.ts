import { hasVisibleText, withoutBidiControls } from './visible-text';

describe('hasVisibleText', () => {
  it.each([
    ['letters', 'Ada'],
    ['an emoji', '👋'],
    ['an emoji with a zero-width joiner', '👩\u200D💻'],
    ['a name in Arabic', 'عائشة'],
  ])('accepts %s', (_label, text) => {
    expect(hasVisibleText(text)).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['spaces and tabs', ' \t\n '],
    ['zero-width spaces', '\u200B\u200B\u200B'],
    ['zero-width joiners and non-joiners', '\u200D\u200C\uFEFF'],
    ['NUL characters', '\u0000\u0000'],
    ['bidi overrides only', '\u202E\u2066\u2069'],
    ['Hangul fillers', '\u3164\u115F'],
    ['a braille blank', '\u2800'],
  ])('refuses %s', (_label, text) => {
    expect(hasVisibleText(text)).toBe(false);
  });
});

describe('withoutBidiControls', () => {
  it('removes overrides, embeddings and isolates, and trims', () => {
    expect(withoutBidiControls(' Ada\u202Egpj.exe\u2066\u2069 ')).toBe(
      'Adagpj.exe',
    );
  });

  it('leaves other text alone', () => {
    expect(withoutBidiControls('Grace Hopper')).toBe('Grace Hopper');
  });
});
