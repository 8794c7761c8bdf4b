import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
  output,
} from '@angular/core';
import { LinkedText } from '../../../../ui/linked-text/linked-text';
import { FullTimePipe } from '../../../../ui/relative-time/full-time.pipe';
import { RelativeTimePipe } from '../../../../ui/relative-time/relative-time.pipe';
import type { TimelineEntry } from '../message-list/timeline-entry';
import { visibleAttachments } from './attachment-kind';
import { DeliveryFailure } from './delivery-failure';
import { MessageAttachment } from './message-attachment';

/**
 * One message as a bubble: blue in local conversations, Instagram's pink and orange in Instagram
 * ones (with a small Instagram badge); mine on the right, theirs on the left (the list aligns the
 * row). Inside, from top to bottom: the story it answers, attachments, the text (always as text,
 * links made clickable, never HTML), a note for what Instagram could not hand over, reactions, the
 * time with "edited" and the delivery status, and, for a failure, why and what to do.
 */
@Component({
  selector: 'ic-message-bubble',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    LinkedText,
    RelativeTimePipe,
    FullTimePipe,
    MessageAttachment,
    DeliveryFailure,
  ],
  templateUrl: './message-bubble.html',
  styleUrl: './message-bubble.css',
  host: {
    'data-testid': 'message-bubble',
    '[attr.data-status]': 'entry().status',
    '[attr.data-channel]': 'channel()',
    '[class.mine]': 'entry().isMine',
    '[class.theirs]': '!entry().isMine',
    '[class.instagram]': "channel() === 'instagram'",
    '[class.pending]': "entry().status === 'pending'",
    '[class.failed]': "entry().status === 'failed'",
    '[class.deleted]': 'entry().isDeleted',
  },
})
export class MessageBubble {
  readonly entry = input.required<TimelineEntry>();
  /** Delivery words to show under it ("Sent", "Read"…); null for none. */
  readonly statusLabel = input<string | null>(null);
  /** Whether the time line shows (the last of a group, or something to say about it). */
  readonly showMeta = input(true);
  /** "Now", for the relative time. */
  readonly now = input.required<Date>();

  readonly retry = output<string>();
  readonly discard = output<string>();
  readonly retryDelivery = output<string>();

  protected readonly channel = computed(() => this.entry().channel ?? 'local');
  protected readonly media = computed(() =>
    visibleAttachments(this.entry().media ?? this.entry().attachments),
  );
  protected readonly storyUrl = computed(() => {
    const replyTo = this.entry().replyTo;
    return replyTo?.storyId || replyTo?.storyUrl
      ? { type: 'story_reply', url: replyTo.storyUrl }
      : null;
  });
  protected readonly reactions = computed(() => this.entry().reactions ?? []);
  protected readonly metaShown = computed(
    () =>
      this.showMeta() ||
      !!this.statusLabel() ||
      !!this.entry().edited ||
      this.entry().status === 'failed',
  );
}
