import { AsyncResource } from 'node:async_hooks';

type Bind = (
  this: AsyncResource,
  fn: (...args: unknown[]) => unknown,
  thisArg?: unknown,
) => (...args: unknown[]) => unknown;

/** Set on the replacement, so installing it twice changes nothing. */
const REPLACEMENT = Symbol('instantchat.asyncResourceBind');

/**
 * Node 20's `AsyncResource#bind` attaches to every function it returns an `asyncResource`
 * accessor built with `util.deprecate` (DEP0172), and that costs ~17 µs of the event loop per call
 * on these machines. Fastify calls it once per request with a body (its content-type parser
 * binds the parse callback), so every send and every webhook delivery paid it: 4–5% of the API
 * thread under webhook load. Node has since dropped the property (nodejs/node#58618).
 *
 * Installs the same binding without that accessor: the bound function runs `fn` in the
 * resource's async context with the caller's `this` (or `thisArg`) and arguments, returns what it
 * returns, and keeps its `length`. A Node whose own bind adds no such accessor is left as it is.
 */
export function installLeanAsyncResourceBind(): void {
  const prototype = AsyncResource.prototype as unknown as { bind: Bind };
  const native = prototype.bind;
  if ((native as unknown as Record<symbol, boolean>)[REPLACEMENT]) return;
  const probe = native.call(new AsyncResource('instantchat:probe'), () => 0);
  if (!Object.getOwnPropertyDescriptor(probe, 'asyncResource')) return;

  const lean: Bind = function bind(this: AsyncResource, fn, thisArg) {
    // Anything but a function gets Node's own error.
    if (typeof fn !== 'function') return native.call(this, fn, thisArg);
    return boundIn(this, fn, thisArg);
  };
  Object.defineProperty(lean, REPLACEMENT, { value: true });
  prototype.bind = lean;
}

/** `fn` run in `resource`'s async context, as Node's bind makes it, without the accessor. */
function boundIn(
  resource: AsyncResource,
  fn: (...args: unknown[]) => unknown,
  thisArg: unknown,
): (...args: unknown[]) => unknown {
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
  Object.defineProperty(bound, 'length', {
    configurable: true,
    enumerable: false,
    value: fn.length,
    writable: false,
  });
  return bound;
}
