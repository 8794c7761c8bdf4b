import { Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, NavigationError, Router } from '@angular/router';

/**
 * A page that could not be opened, typically because its code chunk did not load while the
 * server was unreachable. Without this the click would do nothing and say nothing; with it the
 * app says so and offers to try the same address again.
 */
@Injectable({ providedIn: 'root' })
export class NavigationFailure {
  private readonly router = inject(Router);
  private readonly failed = signal<string | null>(null);

  /** The address that failed to open, while it is worth telling the person. */
  readonly failedUrl = this.failed.asReadonly();

  constructor() {
    this.router.events.pipe(takeUntilDestroyed()).subscribe((event) => {
      if (event instanceof NavigationError) {
        this.failed.set(event.url);
      } else if (event instanceof NavigationEnd) {
        this.failed.set(null);
      }
    });
  }

  retry(): void {
    const url = this.failed();
    if (url) {
      void this.router.navigateByUrl(url);
    }
  }

  dismiss(): void {
    this.failed.set(null);
  }
}
