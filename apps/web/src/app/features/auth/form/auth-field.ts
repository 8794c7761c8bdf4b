import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
} from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { startWith, switchMap } from 'rxjs';

/**
 * One labelled input of the sign-in and sign-up forms: the problem shows once the person has
 * left the field (or tried to submit), and is tied to the input for screen readers.
 */
@Component({
  selector: 'ic-auth-field',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule],
  template: `
    <label [for]="fieldId()">{{ label() }}</label>
    <input
      [id]="fieldId()"
      [type]="type()"
      [formControl]="control()"
      [attr.autocomplete]="autocomplete()"
      [attr.data-testid]="testId()"
      [attr.maxlength]="maxLength()"
      [attr.aria-invalid]="showProblem()"
      [attr.aria-describedby]="messageId()"
    />
    @if (hint()) {
      <p [id]="messageId()" class="hint" [class.field-error]="showProblem()">
        {{ hint() }}
      </p>
    } @else if (showProblem()) {
      <p [id]="messageId()" class="field-error">{{ problem() }}</p>
    }
  `,
  styleUrl: './auth-field.css',
})
export class AuthField {
  readonly control = input.required<FormControl<string>>();
  readonly fieldId = input.required<string>();
  readonly label = input.required<string>();
  readonly type = input<'text' | 'email' | 'password'>('text');
  readonly autocomplete = input.required<string>();
  readonly testId = input.required<string>();
  /** Shown when the value is not acceptable (unless a hint already says what is). */
  readonly problem = input('');
  /** Always shown under the field, in the error colour while the value is not acceptable. */
  readonly hint = input('');
  readonly maxLength = input<number | null>(null);

  protected readonly messageId = computed(() => `${this.fieldId()}-message`);

  /** Touched and validity change without any input changing: follow the control's events. */
  private readonly controlChanges = toSignal(
    toObservable(this.control).pipe(
      switchMap((control) => control.events.pipe(startWith(null))),
    ),
  );

  protected readonly showProblem = computed(() => {
    this.controlChanges();
    const control = this.control();
    return control.touched && control.invalid;
  });
}
