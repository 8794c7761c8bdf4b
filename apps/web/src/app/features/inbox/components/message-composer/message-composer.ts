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
import { MESSAGE_TEXT_MAX_LENGTH } from '@instantchat/contracts';

const numberFormat = new Intl.NumberFormat('en');

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

  readonly send = output<string>();
  readonly typing = output<void>();
  readonly draftChange = output<string>();

  protected readonly maxLength = MESSAGE_TEXT_MAX_LENGTH;
  protected readonly text = linkedSignal(() => this.draft());
  /** Set when a picture or file was pasted: sending those is not built yet. */
  protected readonly attachmentNote = signal(false);
  protected readonly overBy = computed(
    () => this.text().length - MESSAGE_TEXT_MAX_LENGTH,
  );
  protected readonly tooLongMessage = computed(() =>
    this.overBy() > 0
      ? `${numberFormat.format(this.text().length)} characters: ${numberFormat.format(this.overBy())} over the ${numberFormat.format(MESSAGE_TEXT_MAX_LENGTH)} limit. Shorten it to send.`
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
