import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorBody } from '@instantchat/contracts';

/** Turns anything an HTTP call can throw into one sentence a person can act on. */
export function apiErrorMessage(
  error: unknown,
  fallback = 'Something went wrong. Please try again.',
): string {
  if (!(error instanceof HttpErrorResponse)) {
    return fallback;
  }
  if (error.status === 0) {
    return 'Cannot reach the server. Check your connection and try again.';
  }
  const body = error.error as Partial<ApiErrorBody> | null;
  const message = body && typeof body === 'object' ? body.message : undefined;
  if (Array.isArray(message) && message.length > 0) {
    return message.map(capitalise).join('. ');
  }
  if (typeof message === 'string' && message.trim()) {
    return capitalise(message);
  }
  return fallback;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
