import { ChangeDetectionStrategy, Component } from '@angular/core';

/** What the conversation pane shows before one is picked (wide screens only). */
@Component({
  selector: 'ic-no-conversation-selected',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="title">Pick a conversation</p>
    <p>Or start a new one with anyone on your team.</p>
  `,
  styles: `
    :host {
      flex: 1;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      padding: 2rem;
      color: var(--text-muted);
      text-align: center;
    }
    .title {
      margin: 0;
      font-size: 1.1rem;
      font-weight: 600;
      color: var(--text);
    }
  `,
})
export class NoConversationSelected {}
