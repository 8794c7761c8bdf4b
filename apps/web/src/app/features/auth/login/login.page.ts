import {
  ChangeDetectionStrategy,
  Component,
  inject,
  input,
  signal,
} from '@angular/core';
import { NonNullableFormBuilder, Validators } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { AuthCard } from '../form/auth-card';
import { AuthField } from '../form/auth-field';
import { apiErrorMessage } from '../../../core/api-error';
import { AuthService } from '../../../core/session/auth.service';
import { safeReturnUrl } from './safe-return-url';

@Component({
  selector: 'ic-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AuthCard, AuthField, RouterLink],
  templateUrl: './login.page.html',
  styles: `
    :host {
      display: block;
    }
    .notice {
      padding: 0.6rem 0.75rem;
      border-radius: 0.5rem;
      background: var(--surface-muted);
      font-size: 0.9rem;
    }
  `,
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  /** Query parameters, bound by the router. */
  readonly returnUrl = input<string>();
  readonly reason = input<string>();

  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    password: ['', [Validators.required]],
  });
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.submitting.set(true);
    this.error.set(null);
    this.auth.login(this.form.getRawValue()).subscribe({
      next: () =>
        void this.router.navigateByUrl(safeReturnUrl(this.returnUrl())),
      error: (error: unknown) => {
        this.submitting.set(false);
        this.error.set(apiErrorMessage(error, 'Could not sign in.'));
      },
    });
  }
}
