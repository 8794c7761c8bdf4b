import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { InstagramLoginMethod } from '@instantchat/contracts';

/** What each login method asks of the person, step by step, so Meta's pages hold no surprise. */
@Component({
  selector: 'ic-connect-guide',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (methods().includes('instagram')) {
      <section
        class="method"
        aria-labelledby="guide-instagram"
        data-testid="guide-instagram"
      >
        <h3 id="guide-instagram">
          With Instagram
          @if (methods().length > 1) {
            <span class="tag">recommended</span>
          }
        </h3>
        <p class="lead">
          For any business or creator account. No Facebook Page needed.
        </p>
        <ol>
          <li>
            Make sure the account is a business or creator account (Instagram
            app → Settings → Account type and tools).
          </li>
          <li>
            Choose <strong>Connect with Instagram</strong> and sign in to
            Instagram if asked.
          </li>
          <li>Pick the account and choose <strong>Allow</strong>.</li>
          <li>
            You come back here with the account listed. Its messages start
            arriving in your inbox.
          </li>
        </ol>
      </section>
    }
    @if (methods().includes('facebook')) {
      <section
        class="method"
        aria-labelledby="guide-facebook"
        data-testid="guide-facebook"
      >
        <h3 id="guide-facebook">Through a Facebook Page</h3>
        <p class="lead">
          For accounts managed from a Facebook Page, e.g. in Meta Business
          Suite.
        </p>
        <ol>
          <li>
            Link the Instagram professional account to a Facebook Page you
            manage (Page settings → Linked accounts).
          </li>
          <li>
            Choose <strong>Connect through a Facebook Page</strong> and sign in
            to Facebook.
          </li>
          <li>
            Tick the Page linked to the account, then
            <strong>Continue</strong> and allow the permissions.
          </li>
          <li>You come back here with the account and its Page listed.</li>
        </ol>
      </section>
    }
  `,
  styles: `
    :host {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr));
      gap: 1rem;
    }
    .method {
      padding: 1rem 1.1rem;
      border: 1px solid var(--border);
      border-radius: 1rem;
      background: var(--surface);
    }
    h3 {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      margin: 0 0 0.25rem;
      font-size: 1.05rem;
    }
    .tag {
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      font-size: 0.75rem;
      color: #fff;
      background: var(--instagram-gradient-strong);
    }
    .lead {
      margin: 0 0 0.5rem;
      color: var(--text-muted);
      font-size: 0.9rem;
    }
    ol {
      margin: 0;
      padding-left: 1.25rem;
      display: grid;
      gap: 0.35rem;
    }
  `,
})
export class ConnectGuide {
  /** The login methods the server offers: only their steps are shown. */
  readonly methods = input.required<readonly InstagramLoginMethod[]>();
}
