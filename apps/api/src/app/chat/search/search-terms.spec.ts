import {
  SEARCH_TERMS_PER_MESSAGE_MAX,
  foldedWords,
  messageSearchTerms,
  searchQueryTerms,
} from './search-terms';

describe('search terms', () => {
  it('folds case and diacritics and splits on anything but letters and digits', () => {
    expect(foldedWords('Café-au-LAIT, naïve Ünïcödé! order #4521')).toEqual([
      'cafe',
      'au',
      'lait',
      'naive',
      'unicode',
      'order',
      '4521',
    ]);
  });

  it('keeps non-Latin letters as words', () => {
    expect(foldedWords('مرحبا world привет')).toEqual([
      'مرحبا',
      'world',
      'привет',
    ]);
  });

  it('stores every prefix of two characters or more, once', () => {
    expect(messageSearchTerms('Refund refund REF')).toEqual([
      're',
      'ref',
      'refu',
      'refun',
      'refund',
    ]);
  });

  it('stores nothing for one-letter words or text without words', () => {
    expect(messageSearchTerms('a b c')).toEqual([]);
    expect(messageSearchTerms('!!! ... 🙂')).toEqual([]);
  });

  it('caps prefixes at 20 characters and the number of terms per message', () => {
    const terms = messageSearchTerms('x'.repeat(50));
    expect(Math.max(...terms.map((term) => term.length))).toBe(20);

    const manyWords = Array.from({ length: 3000 }, (_, i) => `w${i}xyz`).join(
      ' ',
    );
    expect(messageSearchTerms(manyWords)).toHaveLength(
      SEARCH_TERMS_PER_MESSAGE_MAX,
    );
  });

  it('turns a query into its distinct folded words, longest first, dropping one-letter words', () => {
    expect(searchQueryTerms('  Order a  RÉFUND order ')).toEqual([
      'refund',
      'order',
    ]);
    expect(searchQueryTerms('a ! ?')).toEqual([]);
  });

  it('compares a long query word on its first 20 characters, as stored', () => {
    const long = 'supercalifragilisticexpialidocious';
    const [term] = searchQueryTerms(long);
    expect(messageSearchTerms(long)).toContain(term);
    expect(term).toHaveLength(20);
  });
});
