import { graphError } from '../graph-errors';
import type { Reply } from '../http/router';

/**
 * Meta downloads the media a message points at and refuses what is too large: images up to 8 MB,
 * audio, video and files up to 25 MB ("Upload Media for Instagram Messaging"). The error body is
 * the one Meta documents for an oversized image (code 36000, subcode 2207004, in the Instagram
 * API's error codes); the audio and video variant follows its wording.
 */
export const MEDIA_MAX_BYTES: Record<string, number> = {
  image: 8 * 1024 * 1024,
  audio: 25 * 1024 * 1024,
  video: 25 * 1024 * 1024,
  file: 25 * 1024 * 1024,
};

const DOWNLOAD_TIMEOUT_MS = 10_000;

export function mediaTooLarge(type: string): Reply {
  const image = type === 'image';
  const limitMiB = Math.round(MEDIA_MAX_BYTES[type] / 1024 / 1024);
  const noun = image ? 'image' : type;
  return graphError(400, {
    message: `The ${noun} size is too large.`,
    type: 'OAuthException',
    code: 36000,
    ...(image ? { error_subcode: 2207004 } : {}),
    is_transient: false,
    error_user_title: `${noun[0].toUpperCase()}${noun.slice(1)} size too large`,
    error_user_msg: `The ${noun} is too large to download. It should be less than ${limitMiB} MiB.`,
  });
}

/**
 * The size of the media at `url`: its Content-Length when a HEAD request tells it, else the bytes
 * of a GET counted up to just past `limit`. Undefined when the sandbox cannot reach the URL (it
 * runs without internet access, so media it cannot fetch is let through unmeasured).
 */
export async function mediaSize(
  url: string,
  limit: number,
): Promise<number | undefined> {
  try {
    const head = await fetch(url, {
      method: 'HEAD',
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    const declared = Number(head.headers.get('content-length'));
    if (head.ok && Number.isFinite(declared) && declared > 0) return declared;
    const body = await fetch(url, {
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (!body.ok || !body.body) return undefined;
    let counted = 0;
    const reader = body.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return counted;
      counted += value.byteLength;
      if (counted > limit) {
        await reader.cancel();
        return counted;
      }
    }
  } catch {
    return undefined;
  }
}
