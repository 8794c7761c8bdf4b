import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
} from '@angular/core';
import { textWithLinks } from './text-with-links';

/**
 * User text with its web addresses as links that open in a new tab without handing the new page
 * a handle on this one. Text is bound as text, never as HTML. (One line of template on purpose:
 * bubbles keep white space, so any between the tags would show.)
 */
@Component({
  selector: 'ic-linked-text',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // prettier-ignore
  template: `@for (part of parts(); track $index) {@if (part.kind === 'link') {<a [href]="part.href" target="_blank" rel="noopener noreferrer">{{ part.text }}</a>} @else {{{ part.text }}}}`,
  styles: `
    a {
      color: inherit;
      text-decoration: underline;
      text-underline-offset: 2px;
    }
  `,
})
export class LinkedText {
  readonly text = input.required<string>();
  protected readonly parts = computed(() => textWithLinks(this.text()));
}
