import type { Reply, Router, SandboxRequest } from '../../http/router';
import { INSTAGRAM_HOSTS } from '../../instagram-hosts';
import { escapeHtml, layout } from '../../pages/html';
import type { SandboxContext } from '../../sandbox-context';

/**
 * Instagram Login's authorization window (www.instagram.com/oauth/authorize): the person picks
 * one of the test professional accounts (no Facebook Page needed) and allows (redirect with a
 * single-use `code`, the `state`, and Instagram's `#_`) or cancels (`error=access_denied`).
 * An unknown app, an unregistered redirect URI or an unknown scope get an error page.
 */

const INSTAGRAM_LOGIN_SCOPES = [
  'instagram_business_basic',
  'instagram_business_manage_messages',
  'instagram_business_manage_comments',
  'instagram_business_content_publish',
  'instagram_business_manage_insights',
];

interface ConsentParams {
  clientId: string;
  redirectUri: string;
  state: string;
  scopes: string[];
}

function validate(
  ctx: SandboxContext,
  source: (name: string) => string | undefined,
): { params: ConsentParams } | { error: Reply } {
  const scopes = [
    ...new Set(
      (source('scope') ?? '')
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const params: ConsentParams = {
    clientId: source('client_id') ?? '',
    redirectUri: source('redirect_uri') ?? '',
    state: source('state') ?? '',
    scopes,
  };
  if (params.clientId !== ctx.config.instagramAppId)
    return { error: errorPage('Invalid platform app') };
  if (!ctx.config.redirectUris.includes(params.redirectUri))
    return {
      error: errorPage(
        'Invalid redirect_uri',
        `Allowed in this sandbox: ${ctx.config.redirectUris.join(', ') || '(none — set SANDBOX_REDIRECT_URIS)'}`,
      ),
    };
  if (source('response_type') !== 'code')
    return { error: errorPage('Invalid response_type: it must be code') };
  const unknown = scopes.filter((s) => !INSTAGRAM_LOGIN_SCOPES.includes(s));
  if (unknown.length > 0)
    return { error: errorPage(`Invalid scope: ${unknown.join(', ')}`) };
  if (!scopes.includes('instagram_business_basic'))
    return {
      error: errorPage('The scope must include instagram_business_basic'),
    };
  return { params };
}

function errorPage(message: string, detail?: string): Reply {
  return {
    status: 400,
    html: layout(
      'Instagram: error',
      `<main class="error"><h1>Sorry, this page isn't available</h1><p>${escapeHtml(message)}</p>${detail ? `<p class="muted">${escapeHtml(detail)}</p>` : ''}</main>`,
    ),
  };
}

function redirectWith(
  redirectUri: string,
  params: Record<string, string>,
): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  url.hash = '_';
  return url.toString();
}

export function registerInstagramConsentRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const path = `${INSTAGRAM_HOSTS.oauth}/oauth/authorize`;

  router.add('GET', path, (req) => {
    const result = validate(ctx, (n) => req.query.get(n) ?? undefined);
    if ('error' in result) return result.error;
    return { status: 200, html: consentPage(ctx, result.params, path) };
  });

  router.add('POST', `${path}/confirm`, (req: SandboxRequest) => {
    const field = (n: string) =>
      typeof req.body[n] === 'string' ? (req.body[n] as string) : undefined;
    const result = validate(ctx, field);
    if ('error' in result) return result.error;
    const { params } = result;
    const state: Record<string, string> = params.state
      ? { state: params.state }
      : {};
    if (field('action') !== 'allow') {
      return {
        status: 302,
        redirect: redirectWith(params.redirectUri, {
          error: 'access_denied',
          error_reason: 'user_denied',
          error_description: 'The user denied your request',
          ...state,
        }),
      };
    }
    const account = ctx.world.instagramAccounts.get(field('account_id') ?? '');
    if (!account)
      return {
        status: 400,
        html: consentPage(ctx, params, path, 'Choose an account to continue.'),
      };
    const code = ctx.world.issueCode({
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      userId: account.id,
      pageIds: [],
      instagramAccountId: account.id,
      scopes: params.scopes,
    });
    return {
      status: 302,
      redirect: redirectWith(params.redirectUri, { code: code.code, ...state }),
    };
  });
}

function consentPage(
  ctx: SandboxContext,
  params: ConsentParams,
  path: string,
  problem?: string,
): string {
  const accounts = [...ctx.world.instagramAccounts.values()];
  const options = accounts
    .map(
      (account, index) => `<label class="choice">
        <input type="radio" name="account_id" value="${escapeHtml(account.id)}"${index === 0 ? ' checked' : ''}>
        <span><strong>@${escapeHtml(account.username)}</strong><br>
        <span class="muted">${escapeHtml(account.name)} · professional account${account.pageId ? '' : ' · no Facebook Page'}</span></span>
      </label>`,
    )
    .join('\n');
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return layout(
    `Allow ${ctx.config.appName} to access your Instagram account?`,
    `<main>
  <h1>Allow ${escapeHtml(ctx.config.appName)} to access your Instagram professional account?</h1>
  <p>Log in as one of the sandbox's test professional accounts.</p>
  ${problem ? `<p class="error">${escapeHtml(problem)}</p>` : ''}
  <form method="post" action="${path}/confirm">
    ${hidden('client_id', params.clientId)}
    ${hidden('redirect_uri', params.redirectUri)}
    ${hidden('state', params.state)}
    ${hidden('scope', params.scopes.join(','))}
    ${hidden('response_type', 'code')}
    ${options}
    <p class="muted">Permissions: ${params.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</p>
    <div class="actions">
      <button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
      <button type="submit" name="action" value="allow" class="primary">Allow</button>
    </div>
  </form>
</main>`,
  );
}
