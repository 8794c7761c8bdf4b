import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { MESSAGE_TEXT_MAX_LENGTH } from '@instantchat/contracts';

/** The send box: Enter sends, Shift+Enter starts a new line. */
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

  readonly send = output<string>();
  readonly typing = output<void>();

  protected readonly maxLength = MESSAGE_TEXT_MAX_LENGTH;
  protected readonly text = signal('');
  protected readonly canSend = computed(
    () => !this.disabled() && this.text().trim().length > 0,
  );
  protected readonly label = computed(() =>
    this.recipient() ? `Message ${this.recipient()}` : 'Message',
  );
  protected readonly remaining = computed(
    () => MESSAGE_TEXT_MAX_LENGTH - this.text().length,
  );

  private readonly field =
    viewChild.required<ElementRef<HTMLTextAreaElement>>('field');

  focus(): void {
    this.field().nativeElement.focus();
  }

  protected onInput(value: string): void {
    this.text.set(value);
    if (value.trim()) {
      this.typing.emit();
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
