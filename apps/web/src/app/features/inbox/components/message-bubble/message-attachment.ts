import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
  signal,
} from '@angular/core';
import type { AttachmentDto } from '@instantchat/contracts';
import { type AttachmentKind, attachmentKind } from './attachment-kind';

const ALT_TEXT: Record<AttachmentKind, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Voice message',
  file: 'File',
  story_mention: 'Story',
  story_reply: 'Story',
  story_share: 'Shared story',
  post: 'Shared post',
  reel: 'Shared reel',
  other: 'Attachment',
};

const CARD_TITLES: Partial<Record<AttachmentKind, string>> = {
  story_mention: 'Mentioned you in their story',
  story_reply: 'Replied to your story',
  story_share: 'Shared a story',
  post: 'Shared a post',
  reel: 'Shared a reel',
};

/** In a word or two, what an attachment is ("Photo", "Shared a story"), for a list's preview. */
export function attachmentSummary(kind: AttachmentKind): string {
  return CARD_TITLES[kind] ?? ALT_TEXT[kind];
}

/**
 * One attachment of a message: pictures inline, video and audio players, file links, and cards for
 * story mentions and shares, shared posts and reels. Meta's media links expire, so when a picture or a player
 * cannot load its file the attachment says "Media no longer available" instead of a broken frame.
 */
@Component({
  selector: 'ic-message-attachment',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './message-attachment.html',
  styleUrl: './message-attachment.css',
  host: {
    '[attr.data-kind]': 'kind()',
    'data-testid': 'message-attachment',
  },
})
export class MessageAttachment {
  readonly attachment = input.required<AttachmentDto>();
  /** Who sent it, for alternative text. */
  readonly senderName = input('');

  protected readonly kind = computed(() =>
    attachmentKind(this.attachment().type),
  );
  protected readonly url = computed(() => this.attachment().url ?? null);
  /** The file behind the link did not load: Meta's link has expired. */
  protected readonly gone = signal(false);

  /** There is a link, and what it points at has not failed to load. */
  protected readonly available = computed(() => !!this.url() && !this.gone());

  protected readonly alt = computed(() => {
    const from = this.senderName();
    const what = ALT_TEXT[this.kind()];
    return from ? `${what} from ${from}` : what;
  });

  /** Story mentions and replies, shared posts and reels are cards with a caption. */
  protected readonly cardTitle = computed(
    () => CARD_TITLES[this.kind()] ?? null,
  );

  protected readonly goneText = computed(() =>
    this.kind() === 'story_mention' ||
    this.kind() === 'story_reply' ||
    this.kind() === 'story_share'
      ? 'Media no longer available: stories disappear after 24 hours'
      : this.url() || this.kind() !== 'other'
        ? 'Media no longer available'
        : 'An attachment that can’t be shown here',
  );

  protected markGone(): void {
    this.gone.set(true);
  }
}
