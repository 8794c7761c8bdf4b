import type { AttachmentDto } from '@instantchat/contracts';

/** How the chat window shows an attachment, by Meta's `type`. */
export type AttachmentKind =
  | 'image'
  | 'video'
  | 'audio'
  | 'file'
  | 'story_mention'
  /** Not one of Meta's types: the story a message answers (`replyTo.storyUrl`), shown the same way. */
  | 'story_reply'
  /** Someone else's story, sent on in a DM (`ig_story`). */
  | 'story_share'
  | 'post'
  | 'reel'
  | 'other';

const KINDS: Record<string, AttachmentKind> = {
  image: 'image',
  sticker: 'image',
  animated_image_share: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
  story_mention: 'story_mention',
  story_reply: 'story_reply',
  ig_story: 'story_share',
  share: 'post',
  ig_post: 'post',
  ig_reel: 'reel',
  reel: 'reel',
};

export function attachmentKind(type: string): AttachmentKind {
  return KINDS[type] ?? 'other';
}

/**
 * The attachments worth a place in the bubble. Since November 2025 Meta sends a shared post twice,
 * as `share` and as `ig_post` (with more detail): one card is enough.
 */
export function visibleAttachments(
  attachments: readonly AttachmentDto[],
): AttachmentDto[] {
  const hasIgPost = attachments.some((a) => a.type === 'ig_post');
  return attachments.filter((a) => !(hasIgPost && a.type === 'share'));
}
