/** What other modules need to know of a user: who they are, never their password hash. */
export interface UserProfile {
  id: string;
  email: string;
  displayName: string;
  createdAt: Date;
}

interface Entry {
  expiresAt: number;
  /** null: no such user. A pending load is shared by everyone who asks meanwhile. */
  profile: Promise<UserProfile | null>;
}

/**
 * Users' profiles for a few seconds. Every authenticated request and every conversation shown
 * needs the same few users; without this each one was a database read. Stale for at most `ttlMs`
 * on another API instance; in this one, UsersService forgets a user the moment it changes them.
 * Failed loads are not kept, so a database hiccup is not remembered.
 */
export class UserProfileCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The cached profile, or `load`'s answer (kept for ttlMs). */
  get(
    id: string,
    load: (id: string) => Promise<UserProfile | null>,
  ): Promise<UserProfile | null> {
    const cached = this.fresh(id);
    if (cached) return cached;
    const profile = load(id);
    this.remember(id, profile);
    return profile;
  }

  /**
   * Profiles of several users, in no particular order, unknown ones left out. The ones not cached
   * come from one call to `loadMany`.
   */
  async getMany(
    ids: readonly string[],
    loadMany: (ids: string[]) => Promise<UserProfile[]>,
  ): Promise<UserProfile[]> {
    const pending: Promise<UserProfile | null>[] = [];
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.fresh(id);
      if (cached) pending.push(cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const loaded = loadMany(missing).then(
        (profiles) => new Map(profiles.map((p) => [p.id, p])),
      );
      for (const id of missing) {
        const profile = loaded.then((byId) => byId.get(id) ?? null);
        this.remember(id, profile);
        pending.push(profile);
      }
    }
    const profiles = await Promise.all(pending);
    return profiles.filter((p): p is UserProfile => p !== null);
  }

  /** Call whenever a user changes or goes away. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  private fresh(id: string): Promise<UserProfile | null> | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.profile;
    this.entries.delete(id);
    return undefined;
  }

  private remember(id: string, profile: Promise<UserProfile | null>): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const entry: Entry = { expiresAt: this.now() + this.ttlMs, profile };
    this.entries.set(id, entry);
    profile.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
  }
}
