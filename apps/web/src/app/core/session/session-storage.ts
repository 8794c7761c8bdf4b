import { InjectionToken } from '@angular/core';

/**
 * Where the session survives a reload. A token so tests (and a future "remember me" switch)
 * can hand in another Storage without touching the real one.
 */
export const SESSION_STORAGE = new InjectionToken<Storage>('SESSION_STORAGE', {
  providedIn: 'root',
  factory: () => localStorage,
});
