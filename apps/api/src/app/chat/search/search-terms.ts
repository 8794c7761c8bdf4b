/**
 * Message search without `$text` (the embedded server has no text indexes): each message stores the
 * prefixes of its words as `searchTerms`, and a multikey index on that array answers "messages with
 * a word starting with …" by index lookup. Words are compared folded: lower case, without
 * diacritics, so "Café" is found by "cafe" and "CAF".
 */

/** A one-letter prefix would match most messages and make the index useless. */
export const SEARCH_TERM_MIN_LENGTH = 2;
/** Longer query words are compared on their first this-many characters. */
export const SEARCH_TERM_MAX_LENGTH = 20;
/**
 * Bounds the index entries one message adds (a 4,000-character message has a few hundred words);
 * words are taken in order, so only the tail of a very long message may be unfindable.
 */
export const SEARCH_TERMS_PER_MESSAGE_MAX = 2000;
/** More words than this in one query add nothing but work. */
export const SEARCH_QUERY_WORDS_MAX = 8;

/** The words of a text, lower-cased and with diacritics removed ("Ünïcödé" → "unicode"). */
export function foldedWords(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * What to store on a message so search finds it: every prefix (2 to 20 characters) of every word,
 * each once. The one function every writer of message text calls (sends, inbound messages, edits).
 */
export function messageSearchTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const word of foldedWords(text)) {
    const longest = Math.min(word.length, SEARCH_TERM_MAX_LENGTH);
    for (let length = SEARCH_TERM_MIN_LENGTH; length <= longest; length++) {
      if (terms.size >= SEARCH_TERMS_PER_MESSAGE_MAX) {
        return [...terms];
      }
      terms.add(word.slice(0, length));
    }
  }
  return [...terms];
}

/**
 * The terms a query must all match, longest (most selective) first; empty when the query has no
 * word of at least two letters or digits.
 */
export function searchQueryTerms(query: string): string[] {
  const terms = new Set(
    foldedWords(query)
      .filter((word) => word.length >= SEARCH_TERM_MIN_LENGTH)
      .map((word) => word.slice(0, SEARCH_TERM_MAX_LENGTH)),
  );
  return [...terms]
    .sort((a, b) => b.length - a.length)
    .slice(0, SEARCH_QUERY_WORDS_MAX);
}
