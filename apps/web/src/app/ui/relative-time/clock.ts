import { Injectable, signal } from '@angular/core';

/** "Now", refreshed twice a minute, so relative times age on screen without a reload. */
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly current = signal(new Date());
  readonly now = this.current.asReadonly();

  constructor() {
    setInterval(() => this.current.set(new Date()), 30_000);
  }
}
