import {
  ChangeDetectionStrategy,
  Component,
  inject,
  signal,
} from '@angular/core';
import { NonNullableFormBuilder, Validators } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { AuthCard } from '../form/auth-card';
import { AuthField } from '../form/auth-field';
import {
  DISPLAY_NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '@instantchat/contracts';
import { apiErrorMessage } from '../../../core/api-error';
import { AuthService } from '../../../core/session/auth.service';

@Component({
  selector: 'ic-register-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AuthCard, AuthField, RouterLink],
  templateUrl: './register.page.html',
  styles: `
    :host {
      display: block;
    }
  `,
})
export class RegisterPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  protected readonly passwordMinLength = PASSWORD_MIN_LENGTH;
  protected readonly displayNameMaxLength = DISPLAY_NAME_MAX_LENGTH;
  protected readonly form = inject(NonNullableFormBuilder).group({
    displayName: [
      '',
      [
        Validators.required,
        Validators.maxLength(DISPLAY_NAME_MAX_LENGTH),
        Validators.pattern(/\S/),
      ],
    ],
    email: ['', [Validators.required, Validators.email]],
    password: [
      '',
      [
        Validators.required,
        Validators.minLength(PASSWORD_MIN_LENGTH),
        Validators.maxLength(PASSWORD_MAX_LENGTH),
      ],
    ],
  });
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { displayName, email, password } = this.form.getRawValue();
    this.submitting.set(true);
    this.error.set(null);
    this.auth
      .register({
        displayName: displayName.trim(),
        email: email.trim(),
        password,
      })
      .subscribe({
        next: () => void this.router.navigateByUrl('/inbox'),
        error: (error: unknown) => {
          this.submitting.set(false);
          this.error.set(
            apiErrorMessage(error, 'Could not create your account.'),
          );
        },
      });
  }
}
