/** A run of plain text, or a web address to open. */
export type TextPart =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string };

/** http(s) addresses and bare `www.` ones, up to the next space or angle bracket. */
const ADDRESS = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
/** Punctuation that ends a sentence rather than an address ("see https://x.org."). */
const TRAILING_PUNCTUATION = /[.,;:!?'")\]}]+$/;

/**
 * Splits message text into plain runs and web addresses. Only http(s) addresses become links, so
 * `javascript:` and other schemes stay inert text; nothing here produces HTML.
 */
export function textWithLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const start = match.index ?? 0;
    const address = match[0].replace(TRAILING_PUNCTUATION, '');
    if (!address.includes('.', address.indexOf('//') + 2)) {
      continue;
    }
    const href = /^https?:\/\//i.test(address) ? address : `https://${address}`;
    if (!isWebAddress(href)) {
      continue;
    }
    if (start > last) {
      parts.push({ kind: 'text', text: text.slice(last, start) });
    }
    parts.push({ kind: 'link', text: address, href });
    last = start + address.length;
  }
  if (last < text.length) {
    parts.push({ kind: 'text', text: text.slice(last) });
  }
  return parts;
}

function isWebAddress(href: string): boolean {
  try {
    const url = new URL(href);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
