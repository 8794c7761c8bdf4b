import { escapeHtml, layout } from '../pages/html';
import type { Reply, Router, SandboxRequest } from '../http/router';
import type { SandboxContext } from '../sandbox-context';

/**
 * Facebook Login's OAuth dialog: a consent page where the person picks a Page whose Instagram
 * professional account the app may use, then approves (redirect with `code` and `state`) or
 * cancels (redirect with `error=access_denied`). Bad app ids and unregistered redirect URIs get
 * an error page and no redirect, as on facebook.com.
 */

const KNOWN_SCOPES = [
  'instagram_basic',
  'instagram_manage_messages',
  'instagram_manage_comments',
  'instagram_content_publish',
  'pages_show_list',
  'pages_manage_metadata',
  'pages_messaging',
  'pages_read_engagement',
  'business_management',
  'public_profile',
  'email',
];

interface DialogParams {
  clientId: string;
  redirectUri: string;
  state: string;
  scopes: string[];
}

function readParams(
  source: (name: string) => string | undefined,
): DialogParams {
  const scopes = (source('scope') ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    clientId: source('client_id') ?? '',
    redirectUri: source('redirect_uri') ?? '',
    state: source('state') ?? '',
    scopes: [...new Set(scopes)],
  };
}

function validate(
  ctx: SandboxContext,
  source: (name: string) => string | undefined,
): { params: DialogParams } | { error: Reply } {
  const params = readParams(source);
  if (!params.clientId || params.clientId !== ctx.config.appId) {
    return {
      error: errorPage(
        'Invalid App ID',
        'The provided app ID does not look like a valid app ID.',
      ),
    };
  }
  if (
    !params.redirectUri ||
    !ctx.config.redirectUris.includes(params.redirectUri)
  ) {
    return {
      error: errorPage(
        'URL blocked',
        "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
        `Allowed in this sandbox: ${ctx.config.redirectUris.join(', ') || '(none — set SANDBOX_REDIRECT_URIS)'}`,
      ),
    };
  }
  const responseType = source('response_type');
  if (responseType !== undefined && responseType !== 'code') {
    return {
      error: errorPage(
        'Unsupported response_type',
        `This sandbox only implements response_type=code (got "${responseType}").`,
      ),
    };
  }
  const unknown = params.scopes.filter((s) => !KNOWN_SCOPES.includes(s));
  if (unknown.length > 0)
    return {
      error: errorPage(
        'Invalid Scopes',
        `Invalid Scopes: ${unknown.join(', ')}. This message is only shown to developers.`,
      ),
    };
  return { params };
}

function errorPage(title: string, message: string, detail?: string): Reply {
  return {
    status: 400,
    html: layout(
      title,
      `<main class="error"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${detail ? `<p class="muted">${escapeHtml(detail)}</p>` : ''}</main>`,
    ),
  };
}

function redirectWith(
  redirectUri: string,
  params: Record<string, string>,
): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  // Facebook appends this fragment to every login redirect.
  url.hash = '_=_';
  return url.toString();
}

export function registerOAuthDialogRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const v = `/${ctx.config.graphVersion}`;

  router.add('GET', `${v}/dialog/oauth`, (req) => {
    const result = validate(ctx, (n) => req.query.get(n) ?? undefined);
    if ('error' in result) return result.error;
    return { status: 200, html: consentPage(ctx, result.params, v) };
  });

  router.add('POST', `${v}/dialog/oauth/confirm`, (req: SandboxRequest) => {
    const field = (n: string) =>
      typeof req.body[n] === 'string' ? (req.body[n] as string) : undefined;
    const result = validate(ctx, field);
    if ('error' in result) return result.error;
    const { params } = result;
    if (field('action') !== 'approve') {
      return {
        status: 302,
        redirect: redirectWith(params.redirectUri, {
          error: 'access_denied',
          error_code: '200',
          error_description: 'Permissions error',
          error_reason: 'user_denied',
          ...(params.state ? { state: params.state } : {}),
        }),
      };
    }
    const pageId = field('page_id');
    const page = pageId ? ctx.world.pages.get(pageId) : undefined;
    if (!page) {
      return {
        status: 400,
        html: consentPage(ctx, params, v, 'Choose a Page to continue.'),
      };
    }
    const code = ctx.world.issueCode({
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      userId: ctx.world.facebookUser.id,
      pageIds: [page.id],
      scopes: params.scopes,
    });
    return {
      status: 302,
      redirect: redirectWith(params.redirectUri, {
        code: code.code,
        ...(params.state ? { state: params.state } : {}),
      }),
    };
  });
}

function consentPage(
  ctx: SandboxContext,
  params: DialogParams,
  v: string,
  problem?: string,
): string {
  const pages = [...ctx.world.pages.values()];
  const firstLinked = pages.find((p) => p.instagramAccountId)?.id;
  const options = pages
    .map((page) => {
      const account = page.instagramAccountId
        ? ctx.world.instagramAccounts.get(page.instagramAccountId)
        : undefined;
      const disabled = !account;
      return `<label class="choice${disabled ? ' disabled' : ''}">
        <input type="radio" name="page_id" value="${escapeHtml(page.id)}"${disabled ? ' disabled' : ''}${page.id === firstLinked ? ' checked' : ''}>
        <span><strong>${escapeHtml(page.name)}</strong><br>
        <span class="muted">${account ? `Instagram: @${escapeHtml(account.username)}` : 'No Instagram professional account linked'}</span></span>
      </label>`;
    })
    .join('\n');
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return layout(
    `Log in to ${ctx.config.appName}`,
    `<main>
  <h1>${escapeHtml(ctx.config.appName)} is requesting access</h1>
  <p>Logged in as <strong>${escapeHtml(ctx.world.facebookUser.name)}</strong>. Choose the Page whose Instagram account ${escapeHtml(ctx.config.appName)} may use to read and answer direct messages.</p>
  ${problem ? `<p class="error">${escapeHtml(problem)}</p>` : ''}
  <form method="post" action="${v}/dialog/oauth/confirm">
    ${hidden('client_id', params.clientId)}
    ${hidden('redirect_uri', params.redirectUri)}
    ${hidden('state', params.state)}
    ${hidden('scope', params.scopes.join(','))}
    ${hidden('response_type', 'code')}
    ${options}
    <p class="muted">Permissions: ${params.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ') || 'none'}</p>
    <div class="actions">
      <button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
      <button type="submit" name="action" value="approve" class="primary">Continue</button>
    </div>
  </form>
</main>`,
  );
}
