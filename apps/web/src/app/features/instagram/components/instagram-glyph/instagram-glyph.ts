import { ChangeDetectionStrategy, Component } from '@angular/core';

/** A camera outline in the current colour; decorative, so hidden from screen readers. */
@Component({
  selector: 'ic-instagram-glyph',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg viewBox="0 0 24 24" width="1em" height="1em" focusable="false">
      <rect
        x="3"
        y="3"
        width="18"
        height="18"
        rx="5"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
      />
      <circle
        cx="12"
        cy="12"
        r="4"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
      />
      <circle cx="17.3" cy="6.7" r="1.2" fill="currentColor" />
    </svg>
  `,
  host: { 'aria-hidden': 'true' },
  styles: `
    :host {
      display: inline-flex;
      line-height: 0;
    }
  `,
})
export class InstagramGlyph {}
