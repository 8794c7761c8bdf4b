import { provideHttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { grace, memoryStorage, session } from '../../../../testing/fixtures';
import { SESSION_STORAGE } from '../../../core/session/session-storage';
import { DRAFT_STORAGE, DraftsState } from './drafts.state';

describe('DraftsState', () => {
  function setUp(storage: Storage = memoryStorage(), signedIn = session()) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideRouter([]),
        DraftsState,
        { provide: SESSION_STORAGE, useValue: memoryStorage(signedIn) },
        { provide: DRAFT_STORAGE, useValue: storage },
      ],
    });
    return TestBed.inject(DraftsState);
  }

  it('keeps one draft per conversation', () => {
    const drafts = setUp();
    drafts.save('c-bob', 'For Bob');
    drafts.save('c-carol', 'For Carol');

    expect(drafts.read('c-bob')).toBe('For Bob');
    expect(drafts.read('c-carol')).toBe('For Carol');
    expect(drafts.read('c-dave')).toBe('');
  });

  it('survives a reload, and is gone once cleared', () => {
    const storage = memoryStorage();
    setUp(storage).save('c-bob', 'Half a thought');
    TestBed.resetTestingModule();

    const reloaded = setUp(storage);
    expect(reloaded.read('c-bob')).toBe('Half a thought');
    reloaded.clear('c-bob');
    expect(reloaded.read('c-bob')).toBe('');
    expect(storage.length).toBe(0);
  });

  it('never shows one person’s draft to someone else signing in on the same browser', () => {
    const storage = memoryStorage();
    setUp(storage).save('c-shared', 'Private words');
    TestBed.resetTestingModule();

    const other = setUp(
      storage,
      session({ user: grace, accessToken: session().accessToken }),
    );
    expect(other.read('c-shared')).toBe('');
  });

  it('still keeps the draft for this visit when storage refuses it', () => {
    const full = memoryStorage();
    full.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const drafts = setUp(full);
    drafts.save('c-bob', 'Still here');
    expect(drafts.read('c-bob')).toBe('Still here');
  });
});
