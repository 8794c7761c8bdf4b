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
    retries.failed('first', 0);
    retries.failed('second', 500);
    retries.failed('third', 1_200);
    // 'first' was dropped, its wait being over; the two still waiting are kept.
    expect(retries.mayFetch('second', 1_250)).toBe(false);
    expect(retries.mayFetch('third', 1_250)).toBe(false);
    retries.failed('fourth', 1_300);
    // Still full, nobody due: the oldest failure ('second') is forgotten.
    expect(retries.mayFetch('second', 1_350)).toBe(true);
    expect(retries.mayFetch('third', 1_350)).toBe(false);
    expect(retries.mayFetch('fourth', 1_350)).toBe(false);
  });
});
