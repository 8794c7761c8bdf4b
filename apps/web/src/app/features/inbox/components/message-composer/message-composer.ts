import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  input,
  linkedSignal,
  output,
  signal,
  viewChild,
} from '@angular/core';
import {
  INSTAGRAM_TEXT_MAX_LENGTH,
  instagramTextLength,
  MESSAGE_TEXT_MAX_LENGTH,
} from '@instantchat/contracts';

const numberFormat = new Intl.NumberFormat('en');

/** How long a message may be where it goes, in that channel's own measure of length. */
export interface TextLimit {
  max: number;
  /** Whose limit it is, for the warning ("the 4,000 limit", "Instagram’s 1,000 limit"). */
  owner: string;
  length: (text: string) => number;
}

/** InstantChat's own messages (the API's SendMessageDto). */
export const CHAT_TEXT_LIMIT: TextLimit = {
  max: MESSAGE_TEXT_MAX_LENGTH,
  owner: 'the',
  length: (text) => text.length,
};

/** A reply to Instagram: Meta's Send API counts characters (code points), emoji once. */
export const INSTAGRAM_TEXT_LIMIT: TextLimit = {
  max: INSTAGRAM_TEXT_MAX_LENGTH,
  owner: 'Instagram’s',
  length: instagramTextLength,
};

/**
 * The send box: Enter sends, Shift+Enter starts a new line. It starts from the conversation's
 * draft and reports every change, so the draft belongs to the conversation, never to the box.
 * Text over the limit is kept and explained, never cut.
 */
@Component({
  selector: 'ic-message-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './message-composer.html',
  styleUrl: './message-composer.css',
})
export class MessageComposer {
  /** Names what is being answered, for the field's label. */
  readonly recipient = input('');
  readonly disabled = input(false);
  /** Why it is disabled, shown in the box (e.g. Instagram's messaging window has closed). */
  readonly disabledReason = input<string | null>(null);
  /** The open conversation's unsent text; the box is reset to it whenever it changes. */
  readonly draft = input('');
  /** How long a message may be where this one goes. */
  readonly limit = input<TextLimit>(CHAT_TEXT_LIMIT);

  readonly send = output<string>();
  readonly typing = output<void>();
  readonly draftChange = output<string>();

  protected readonly text = linkedSignal(() => this.draft());
  private readonly length = computed(() => this.limit().length(this.text()));
  /** Set when a picture or file was pasted: sending those is not built yet. */
  protected readonly attachmentNote = signal(false);
  protected readonly overBy = computed(() => this.length() - this.limit().max);
  protected readonly tooLongMessage = computed(() =>
    this.overBy() > 0
      ? `${numberFormat.format(this.length())} characters: ${numberFormat.format(this.overBy())} over ${this.limit().owner} ${numberFormat.format(this.limit().max)} limit. Shorten it to send.`
      : '',
  );
  protected readonly canSend = computed(
    () =>
      !this.disabled() && this.text().trim().length > 0 && this.overBy() <= 0,
  );
  protected readonly label = computed(() =>
    this.recipient() ? `Message ${this.recipient()}` : 'Message',
  );
  protected readonly placeholder = computed(() =>
    this.disabled() && this.disabledReason()
      ? (this.disabledReason() as string)
      : this.label(),
  );
  protected readonly remaining = computed(() => -this.overBy());

  private readonly field =
    viewChild.required<ElementRef<HTMLTextAreaElement>>('field');

  focus(): void {
    this.field().nativeElement.focus();
  }

  protected onInput(value: string): void {
    this.text.set(value);
    this.attachmentNote.set(false);
    this.draftChange.emit(value);
    if (value.trim()) {
      this.typing.emit();
    }
  }

  protected onPaste(event: ClipboardEvent): void {
    const data = event.clipboardData;
    const hasFile = Array.from(data?.items ?? []).some(
      (item) => item.kind === 'file',
    );
    if (hasFile && !data?.getData('text/plain')) {
      event.preventDefault();
      this.attachmentNote.set(true);
    }
  }

  protected onKeydown(event: KeyboardEvent): void {
    // While an input method is composing (Japanese, Chinese…), Enter confirms the composition.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  }

  protected submit(): void {
    if (!this.canSend()) {
      return;
    }
    this.send.emit(this.text().trim());
    this.text.set('');
    this.focus();
  }
}
