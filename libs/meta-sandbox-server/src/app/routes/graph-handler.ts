import { authenticate, faultReply, type AppToken } from '../graph-auth';
import { GraphErrors } from '../graph-errors';
import type { Reply, SandboxRequest } from '../http/router';
import type { SandboxContext } from '../sandbox-context';
import type { IssuedToken } from '../world-model';

/** A Graph route's logic, run once the caller's token is known good. */
export type AuthedHandler = (
  req: SandboxRequest,
  token: IssuedToken | AppToken,
) => Reply | Promise<Reply>;

/** Applies an injected fault, if one matches, before the request's own logic runs. */
export async function withFault(
  ctx: SandboxContext,
  req: SandboxRequest,
  token: IssuedToken | undefined,
  next: () => Reply | Promise<Reply>,
): Promise<Reply> {
  const fault = ctx.world.takeFault(req.path);
  if (fault) {
    const page = token ? ctx.world.pages.get(token.pageIds[0]) : undefined;
    const reply = faultReply(
      fault,
      page?.businessId ?? ctx.config.appId,
      token,
      ctx.world.now(),
    );
    if (reply) return reply;
    const delayed = await next();
    return { ...delayed, delayMs: fault.delayMs ?? 3_000 };
  }
  return next();
}

export function graph(ctx: SandboxContext, handler: AuthedHandler) {
  return (req: SandboxRequest): Promise<Reply> | Reply => {
    const auth = authenticate(req, ctx.world, ctx.config);
    if ('error' in auth) return auth.error;
    const token = auth.token;
    return withFault(ctx, req, token.type === 'APP' ? undefined : token, () =>
      handler(req, token),
    );
  };
}

export function requireScope(
  token: IssuedToken | AppToken,
  scope: string,
): Reply | undefined {
  if (token.type === 'APP' || !token.scopes.includes(scope))
    return GraphErrors.permissionMissing(scope);
  return undefined;
}

export function canSeePage(
  token: IssuedToken | AppToken,
  pageId: string,
): boolean {
  return token.type !== 'APP' && token.pageIds.includes(pageId);
}
