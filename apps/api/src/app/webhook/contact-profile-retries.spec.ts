import { ContactProfileRetries } from './contact-profile-retries';

describe('ContactProfileRetries', () => {
  it('lets a contact be fetched again only once the wait after a failure is over', () => {
    const retries = new ContactProfileRetries(1_000);
    expect(retries.mayFetch('a:1', 0)).toBe(true);
    retries.failed('a:1', 0);
    expect(retries.mayFetch('a:1', 999)).toBe(false);
    // Another contact is not held back by it.
    expect(retries.mayFetch('a:2', 999)).toBe(true);
    expect(retries.mayFetch('a:1', 1_000)).toBe(true);
  });

  it('forgets a failure once a fetch succeeds', () => {
    const retries = new ContactProfileRetries(1_000);
    retries.failed('a:1', 0);
    retries.succeeded('a:1');
    expect(retries.mayFetch('a:1', 1)).toBe(true);
  });

  it('remembers at most so many contacts: those whose wait is over go first, then the oldest', () => {
    const retries = new ContactProfileRetries(1_000, 2);
    retries.failed('old', 0);
    retries.failed('older-but-due', -2_000);
    retries.failed('new', 10);
    // 'older-but-due' was dropped, being due; the two still waiting are kept.
    expect(retries.mayFetch('old', 20)).toBe(false);
    expect(retries.mayFetch('new', 20)).toBe(false);
    retries.failed('newest', 30);
    // Still full: the oldest failure ('old') is forgotten.
    expect(retries.mayFetch('old', 40)).toBe(true);
    expect(retries.mayFetch('new', 40)).toBe(false);
    expect(retries.mayFetch('newest', 40)).toBe(false);
  });
});
