/**
 * Characters that draw nothing: whitespace, control characters, format characters (zero-width
 * space and joiners, bidi marks, the byte-order mark, soft hyphen, …), and the blank letters
 * people use to fake an empty name (Hangul fillers, braille blank, combining grapheme joiner).
 */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\u034F\u115F\u1160\u2800\u3164\uFFA0]/gu;

/**
 * Bidi embeddings, overrides (U+202A–202E) and isolates (U+2066–2069): in a name they can make
 * the text around it display reversed ("gpj.exe" shown as "exe.jpg"), so names never keep them.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** True when something would actually show on screen. */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

/** The name without bidi controls, trimmed. */
export function withoutBidiControls(name: string): string {
  return name.replace(BIDI_CONTROLS, '').trim();
}
