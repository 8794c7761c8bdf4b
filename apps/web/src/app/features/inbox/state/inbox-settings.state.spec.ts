import { provideHttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { memoryStorage, session } from '../../../../testing/fixtures';
import { SESSION_STORAGE } from '../../../core/session/session-storage';
import { InboxSettingsState, SETTINGS_STORAGE } from './inbox-settings.state';

describe('InboxSettingsState', () => {
  function setUp(storage: Storage = memoryStorage(), signedIn = session()) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideRouter([]),
        InboxSettingsState,
        { provide: SESSION_STORAGE, useValue: memoryStorage(signedIn) },
        { provide: SETTINGS_STORAGE, useValue: storage },
      ],
    });
    return TestBed.inject(InboxSettingsState);
  }

  it('starts with notifications and sound off and the unread count in the title on', () => {
    expect(setUp().settings()).toEqual({
      notifications: false,
      sound: false,
      unreadInTitle: true,
    });
  });

  it('remembers changes across a reload', () => {
    const storage = memoryStorage();
    setUp(storage).update({ sound: true, unreadInTitle: false });
    TestBed.resetTestingModule();

    expect(setUp(storage).settings()).toEqual({
      notifications: false,
      sound: true,
      unreadInTitle: false,
    });
  });

  it('keeps each person’s settings apart on a shared browser', () => {
    const storage = memoryStorage();
    setUp(storage).update({ sound: true });
    TestBed.resetTestingModule();

    const someoneElse = session({
      user: { ...session().user, id: 'another-user' },
    });
    expect(setUp(storage, someoneElse).settings().sound).toBe(false);
  });

  it('falls back to the defaults when what is stored is not readable', () => {
    const storage = memoryStorage();
    setUp(storage).update({ sound: true });
    const key = storage.key(0) as string;
    expect(key).toMatch(/^instantchat\.settings\./);
    storage.setItem(key, '{not json');
    TestBed.resetTestingModule();

    expect(setUp(storage).settings().sound).toBe(false);
  });
});
