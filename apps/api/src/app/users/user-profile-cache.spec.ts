import { type UserProfile, UserProfileCache } from './user-profile-cache';

const TTL_MS = 5_000;

function profile(id: string, displayName = `User ${id}`): UserProfile {
  return {
    id,
    email: `${id}@example.com`,
    displayName,
    createdAt: new Date(0),
  };
}

describe('UserProfileCache', () => {
  let now: number;
  let cache: UserProfileCache;
  let loads: string[];
  const load = async (id: string) => {
    loads.push(id);
    return id.startsWith('unknown') ? null : profile(id);
  };
  const loadMany = async (ids: string[]) => {
    loads.push(...ids);
    return ids
      .filter((id) => !id.startsWith('unknown'))
      .map((id) => profile(id));
  };

  beforeEach(() => {
    now = 1_000_000;
    loads = [];
    cache = new UserProfileCache(TTL_MS, 3, () => now);
  });

  it('loads a user once while the entry is fresh', async () => {
    await expect(cache.get('a', load)).resolves.toEqual(profile('a'));
    now += TTL_MS - 1;
    await expect(cache.get('a', load)).resolves.toEqual(profile('a'));
    expect(loads).toEqual(['a']);
  });

  it('loads the user again once the entry has expired', async () => {
    await cache.get('a', load);
    now += TTL_MS;
    await cache.get('a', load);
    expect(loads).toEqual(['a', 'a']);
  });

  it('shares one pending load among simultaneous callers', async () => {
    const answers = await Promise.all([
      cache.get('a', load),
      cache.get('a', load),
      cache.get('a', load),
    ]);
    expect(answers).toEqual([profile('a'), profile('a'), profile('a')]);
    expect(loads).toEqual(['a']);
  });

  it('remembers that a user does not exist, for the same short time', async () => {
    await expect(cache.get('unknown', load)).resolves.toBeNull();
    await expect(cache.get('unknown', load)).resolves.toBeNull();
    expect(loads).toEqual(['unknown']);
  });

  it('does not remember a failed load', async () => {
    const failing = () => Promise.reject(new Error('database unreachable'));
    await expect(cache.get('a', failing)).rejects.toThrow(
      'database unreachable',
    );
    await expect(cache.get('a', load)).resolves.toEqual(profile('a'));
    expect(loads).toEqual(['a']);
  });

  it('reloads a user it was told to forget', async () => {
    await cache.get('a', load);
    cache.forget('a');
    await cache.get('a', load);
    expect(loads).toEqual(['a', 'a']);
  });

  it('drops the oldest entry when full', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await cache.get(id, load);
    loads = [];
    await cache.get('d', load);
    await cache.get('b', load);
    await cache.get('a', load);
    expect(loads).toEqual(['a']);
  });

  it('loads only the missing users of a batch, in one call, and leaves unknown ones out', async () => {
    await cache.get('a', load);
    loads = [];
    const calls: string[][] = [];
    const profiles = await cache.getMany(['a', 'b', 'unknown', 'b'], (ids) => {
      calls.push(ids);
      return loadMany(ids);
    });
    expect(profiles).toEqual([profile('a'), profile('b')]);
    expect(calls).toEqual([['b', 'unknown']]);
    await cache.getMany(['a', 'b', 'unknown'], loadMany);
    expect(loads).toEqual(['b', 'unknown']);
  });

  it('passes a failed batch load on without remembering it', async () => {
    await expect(
      cache.getMany(['a', 'b'], () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    await cache.getMany(['a', 'b'], loadMany);
    expect(loads).toEqual(['a', 'b']);
  });
});
