import {
  ChangeDetectionStrategy,
  Component,
  type Type,
  inject,
  signal,
} from '@angular/core';
import { NgComponentOutlet } from '@angular/common';
import { HEADER_EXTENSIONS } from '../../core/layout/header-extensions';

/**
 * Renders the components features contributed to the header (see HEADER_EXTENSIONS), in the
 * order provided. One that fails to load is left out: the header must never break over it.
 */
@Component({
  selector: 'ic-header-slot',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NgComponentOutlet],
  template: `
    @for (component of components(); track $index) {
      <ng-container *ngComponentOutlet="component" />
    }
  `,
  host: { style: 'display: contents' },
})
export class HeaderSlot {
  protected readonly components = signal<Type<unknown>[]>([]);

  constructor() {
    const loaders = inject(HEADER_EXTENSIONS, { optional: true }) ?? [];
    void Promise.all(loaders.map((load) => load().catch(() => null))).then(
      (loaded) =>
        this.components.set(loaded.filter((component) => component !== null)),
    );
  }
}
