import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { fakeJwt, me, memoryStorage, session } from '../../../testing/fixtures';
import { AuthService, isExpired } from './auth.service';
import { SESSION_STORAGE } from './session-storage';

describe('AuthService', () => {
  function setUp(storage = memoryStorage()) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    return {
      auth: TestBed.inject(AuthService),
      http: TestBed.inject(HttpTestingController),
      storage,
    };
  }

  it('signs in and keeps the session across reloads', () => {
    const { auth, http, storage } = setUp();
    const token = fakeJwt();
    auth.login({ email: me.email, password: 'correct horse' }).subscribe();
    const request = http.expectOne('/api/auth/login');
    expect(request.request.body).toEqual({
      email: me.email,
      password: 'correct horse',
    });
    request.flush({ accessToken: token, user: me });

    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.user()).toEqual(me);
    expect(
      JSON.parse(storage.getItem('instantchat.session') as string),
    ).toEqual({ accessToken: token, user: me });
  });

  it('does not keep anything when sign-in fails', () => {
    const { auth, http, storage } = setUp();
    auth
      .login({ email: me.email, password: 'wrong' })
      .subscribe({ error: () => undefined });
    http.expectOne('/api/auth/login').flush(
      {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid email or password',
      },
      { status: 401, statusText: 'Unauthorized' },
    );

    expect(auth.isAuthenticated()).toBe(false);
    expect(storage.length).toBe(0);
  });

  it('restores a stored session', () => {
    const { auth } = setUp(memoryStorage(session()));
    expect(auth.user()?.displayName).toBe(me.displayName);
  });

  it('drops a stored session whose token has expired', () => {
    const storage = memoryStorage(session({ accessToken: fakeJwt(-60) }));
    const { auth } = setUp(storage);
    expect(auth.isAuthenticated()).toBe(false);
    expect(storage.length).toBe(0);
  });

  it('drops a stored session that is not valid JSON', () => {
    const storage = memoryStorage();
    storage.setItem('instantchat.session', '{not json');
    const { auth } = setUp(storage);
    expect(auth.isAuthenticated()).toBe(false);
  });

  it('signs out: forgets the session and opens the sign-in page', () => {
    const storage = memoryStorage(session());
    const { auth } = setUp(storage);
    const navigate = jest
      .spyOn(TestBed.inject(Router), 'navigate')
      .mockResolvedValue(true);

    auth.logout('expired');

    expect(auth.isAuthenticated()).toBe(false);
    expect(storage.length).toBe(0);
    expect(navigate).toHaveBeenCalledWith(['/login'], {
      queryParams: { reason: 'expired' },
    });
  });
});

describe('isExpired', () => {
  it('reads the exp claim', () => {
    expect(isExpired(fakeJwt(60))).toBe(false);
    expect(isExpired(fakeJwt(-1))).toBe(true);
  });

  it('treats a malformed token as expired', () => {
    expect(isExpired('not-a-jwt')).toBe(true);
    expect(isExpired('a.%%%.c')).toBe(true);
  });
});
