import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  const storage = new AsyncLocalStorage<string>();
  beforeAll(() => installLeanAsyncResourceBind());

  it('runs the bound function in the context it was bound in, with its this, arguments and result', () => {
    const bound = storage.run('request-1', () => {
      const resource = new AsyncResource('test');
      return resource.bind(function (this: unknown, a: number, b: number) {
        return { context: storage.getStore(), self: this, sum: a + b };
      });
    });
    const receiver = { name: 'receiver' };

    const outcome = storage.run('request-2', () => bound.call(receiver, 2, 3));

    expect(outcome).toEqual({ context: 'request-1', self: receiver, sum: 5 });
    expect(bound.length).toBe(2);
  });

  it('binds thisArg when given, and the static form too', () => {
    // Node's typings leave thisArg out; its implementation takes it.
    type BindWithThis = (
      fn: () => unknown,
      ...rest: unknown[]
    ) => () => unknown;
    const self = { id: 7 };
    function idAndContext(this: { id: number }) {
      return [this.id, storage.getStore()];
    }
    const viaResource = storage.run('a', () => {
      const resource = new AsyncResource('test');
      return (resource.bind as unknown as BindWithThis).call(
        resource,
        idAndContext,
        self,
      );
    });
    const viaStatic = storage.run('b', () =>
      (AsyncResource.bind as unknown as BindWithThis)(
        idAndContext,
        'test',
        self,
      ),
    );

    expect(storage.run('elsewhere', () => viaResource())).toEqual([7, 'a']);
    expect(storage.run('elsewhere', () => viaStatic())).toEqual([7, 'b']);
  });

  it('adds no deprecated asyncResource property (no util.deprecate per call)', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.getOwnPropertyDescriptor(bound, 'asyncResource')).toBe(
      undefined,
    );
  });

  it('refuses what is not a function as Node does, and installs once', () => {
    const resource = new AsyncResource('test');
    expect(() => resource.bind('nope' as unknown as () => void)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    const installed = AsyncResource.prototype.bind;
    installLeanAsyncResourceBind();
    expect(AsyncResource.prototype.bind).toBe(installed);
  });

  it('propagates what the bound function throws', () => {
    const bound = new AsyncResource('test').bind(() => {
      throw new Error('boom');
    });
    expect(() => bound()).toThrow('boom');
  });
});
