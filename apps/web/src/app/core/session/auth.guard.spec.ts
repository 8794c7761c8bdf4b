import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  ActivatedRouteSnapshot,
  Router,
  RouterStateSnapshot,
  UrlTree,
  provideRouter,
} from '@angular/router';
import { memoryStorage, session } from '../../../testing/fixtures';
import { authGuard, guestGuard } from './auth.guard';
import { SESSION_STORAGE } from './session-storage';

describe('auth guards', () => {
  function setUp(signedIn: boolean) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideRouter([]),
        {
          provide: SESSION_STORAGE,
          useValue: memoryStorage(signedIn ? session() : undefined),
        },
      ],
    });
  }

  const run = (guard: typeof authGuard, url = '/inbox/c-1') =>
    TestBed.runInInjectionContext(() =>
      guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
    );

  it('lets a signed-in person into the inbox', () => {
    setUp(true);
    expect(run(authGuard)).toBe(true);
  });

  it('sends a signed-out person to sign in, remembering where they were going', () => {
    setUp(false);
    const result = run(authGuard) as UrlTree;
    expect(TestBed.inject(Router).serializeUrl(result)).toBe(
      '/login?returnUrl=%2Finbox%2Fc-1',
    );
  });

  it('keeps a signed-in person away from the sign-in page', () => {
    setUp(true);
    expect(
      TestBed.inject(Router).serializeUrl(run(guestGuard) as UrlTree),
    ).toBe('/inbox');
  });

  it('shows the sign-in page to a signed-out person', () => {
    setUp(false);
    expect(run(guestGuard)).toBe(true);
  });
});
