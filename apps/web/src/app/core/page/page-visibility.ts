import { DOCUMENT, Injectable, inject } from '@angular/core';
import { type Observable, fromEvent, map } from 'rxjs';

/**
 * Whether the person can see this tab: what decides if a message is read as it arrives and if it
 * needs a desktop notification. A tab behind another tab, minimised or on another desktop is
 * hidden.
 */
@Injectable({ providedIn: 'root' })
export class PageVisibility {
  private readonly document = inject(DOCUMENT);

  /** Each time the tab is shown or hidden. */
  readonly changes$: Observable<void> = fromEvent(
    this.document,
    'visibilitychange',
  ).pipe(map(() => undefined));

  isVisible(): boolean {
    return this.document.visibilityState === 'visible';
  }
}
