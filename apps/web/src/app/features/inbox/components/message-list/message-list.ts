import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import type { MessageStatus } from '@instantchat/contracts';
import type { LoadStatus } from '../../../../core/load-status';
import { Clock } from '../../../../ui/relative-time/clock';
import { FullTimePipe } from '../../../../ui/relative-time/full-time.pipe';
import { RelativeTimePipe } from '../../../../ui/relative-time/relative-time.pipe';
import { MessageBubble } from '../message-bubble/message-bubble';
import {
  UNREAD_DIVIDER_KEY,
  layoutThread,
  withUnreadDivider,
} from './thread-layout';
import type { TimelineEntry } from './timeline-entry';

const STATUS_LABELS: Record<MessageStatus, string> = {
  pending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

/** Pixels from the bottom within which the view keeps following new messages. */
const FOLLOW_THRESHOLD_PX = 80;
/** Pixels from the top at which the next older page is fetched, before the person gets there. */
const LOAD_OLDER_THRESHOLD_PX = 240;

/**
 * A conversation's history, newest at the bottom, grouped by day and by sender. Follows new
 * messages while the person is at the bottom; scrolled up, it stays put and offers a "new
 * messages" cue instead, except for the person's own send, which always brings them down. The
 * view keeps still when an older page is added above; older pages load as the person nears the top.
 * A conversation opens at its first unread message (under a "New messages" divider) or at a search
 * hit, with "Jump to latest" to get to the bottom.
 */
@Component({
  selector: 'ic-message-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RelativeTimePipe, FullTimePipe, MessageBubble],
  templateUrl: './message-list.html',
  styleUrl: './message-list.css',
  host: {
    '(scroll)': 'onScroll()',
    'data-testid': 'message-list',
    tabindex: '0',
    'aria-label': 'Messages',
    role: 'region',
  },
})
export class MessageList {
  readonly conversationId = input.required<string>();
  readonly entries = input.required<TimelineEntry[]>();
  readonly status = input.required<LoadStatus>();
  readonly error = input<string | null>(null);
  readonly hasOlder = input(false);
  readonly loadingOlder = input(false);
  readonly olderError = input<string | null>(null);
  /** The first message unread when the conversation was opened or its tab shown again: a divider goes above it. */
  readonly firstUnreadKey = input<string | null>(null);
  /** A message to open at and highlight (a search hit). */
  readonly focusKey = input<string | null>(null);

  readonly loadOlder = output<void>();
  readonly reload = output<void>();
  readonly retry = output<string>();
  readonly discard = output<string>();
  /** A stored reply Instagram refused, to send again: its message id. */
  readonly retryDelivery = output<string>();

  protected readonly clock = inject(Clock);
  protected readonly rows = computed(() =>
    withUnreadDivider(
      layoutThread(this.entries(), this.clock.now()),
      this.firstUnreadKey(),
    ),
  );
  /** Someone wrote while the person was reading further up. */
  protected readonly newBelow = signal(false);
  /** Scrolled away from the newest message: "Jump to latest" is offered. */
  protected readonly awayFromLatest = signal(false);
  private readonly host =
    inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;

  /** Status words go under my latest stored message and under anything not yet stored. */
  private readonly latestMineKey = computed(
    () =>
      this.entries().findLast((entry) => entry.isMine && !entry.clientId)
        ?.key ?? null,
  );

  private followBottom = true;
  private distanceFromBottomBeforeOlder: number | null = null;
  private renderedConversationId: string | null = null;
  private renderedNewestKey: string | null = null;
  /** The divider or hit already scrolled to in this conversation, so it happens once. */
  private anchoredTo: string | null = null;

  constructor() {
    afterRenderEffect({
      write: () => {
        const conversationId = this.conversationId();
        const newest = this.entries().at(-1) ?? null;
        const loadingOlder = this.loadingOlder();
        if (conversationId !== this.renderedConversationId) {
          this.renderedConversationId = conversationId;
          this.renderedNewestKey = null;
          this.followBottom = true;
          this.distanceFromBottomBeforeOlder = null;
          this.anchoredTo = null;
          this.newBelow.set(false);
        }
        if (this.scrollToAnchor()) {
          this.renderedNewestKey = newest?.key ?? null;
          return;
        }
        const hadNewest = this.renderedNewestKey !== null;
        const newestChanged = (newest?.key ?? null) !== this.renderedNewestKey;
        this.renderedNewestKey = newest?.key ?? null;
        if (this.distanceFromBottomBeforeOlder !== null) {
          if (!loadingOlder) {
            this.host.scrollTop =
              this.host.scrollHeight - this.distanceFromBottomBeforeOlder;
            this.distanceFromBottomBeforeOlder = null;
          }
          return;
        }
        if (newestChanged && newest?.isMine && newest.clientId) {
          // The person just sent this: show it to them wherever they were.
          this.followBottom = true;
        }
        if (this.followBottom) {
          this.host.scrollTop = this.host.scrollHeight;
          this.newBelow.set(false);
          this.awayFromLatest.set(false);
        } else if (newestChanged && hadNewest && newest && !newest.isMine) {
          this.newBelow.set(true);
        }
      },
    });
  }

  protected jumpToLatest(): void {
    this.followBottom = true;
    this.newBelow.set(false);
    this.awayFromLatest.set(false);
    this.host.scrollTop = this.host.scrollHeight;
  }

  /**
   * Opening at a search hit (centred) or the unread divider (at the top) instead of the bottom,
   * once per conversation and target; a divider that moves later (the tab shown again) is scrolled
   * to only from the bottom. True when it scrolled.
   */
  private scrollToAnchor(): boolean {
    const target = this.focusKey()
      ? `hit:${this.focusKey()}`
      : this.firstUnreadKey()
        ? `unread:${this.firstUnreadKey()}`
        : null;
    if (!target || target === this.anchoredTo) {
      return false;
    }
    if (
      !this.focusKey() &&
      !this.followBottom &&
      this.renderedNewestKey !== null
    ) {
      // The divider moved while the conversation was open (its tab shown again) and the person
      // was reading further up: they stay where they are; the cue says there is news below.
      this.anchoredTo = target;
      this.newBelow.set(true);
      return false;
    }
    const element = this.focusKey()
      ? this.host.querySelector<HTMLElement>(
          `[data-key="${CSS.escape(this.focusKey() as string)}"]`,
        )
      : this.host.querySelector<HTMLElement>(
          `[data-key="${UNREAD_DIVIDER_KEY}"]`,
        );
    if (!element) {
      return false;
    }
    this.anchoredTo = target;
    element.scrollIntoView({
      block: this.focusKey() ? 'center' : 'start',
    });
    this.onScroll();
    return true;
  }

  protected statusLabel(entry: TimelineEntry): string | null {
    if (!entry.isMine) {
      return null;
    }
    if (
      entry.clientId ||
      entry.status === 'failed' ||
      entry.key === this.latestMineKey()
    ) {
      return STATUS_LABELS[entry.status];
    }
    return null;
  }

  protected requestOlder(): void {
    this.distanceFromBottomBeforeOlder =
      this.host.scrollHeight - this.host.scrollTop;
    this.loadOlder.emit();
  }

  protected onScroll(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.host;
    this.followBottom =
      scrollHeight - scrollTop - clientHeight < FOLLOW_THRESHOLD_PX;
    this.awayFromLatest.set(!this.followBottom);
    if (this.followBottom) {
      this.newBelow.set(false);
    }
    if (
      scrollTop < LOAD_OLDER_THRESHOLD_PX &&
      this.hasOlder() &&
      !this.loadingOlder() &&
      !this.olderError() &&
      this.distanceFromBottomBeforeOlder === null &&
      scrollHeight > clientHeight
    ) {
      this.requestOlder();
    }
  }
}
