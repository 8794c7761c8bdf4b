import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { fakeJwt, me, memoryStorage } from '../../../../testing/fixtures';
import { SESSION_STORAGE } from '../../../core/session/session-storage';
import { LoginPage } from './login.page';

describe('LoginPage', () => {
  async function setUp(returnUrl?: string) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: SESSION_STORAGE, useValue: memoryStorage() },
      ],
    });
    const navigateByUrl = jest
      .spyOn(TestBed.inject(Router), 'navigateByUrl')
      .mockResolvedValue(true);
    const fixture = TestBed.createComponent(LoginPage);
    if (returnUrl) {
      fixture.componentRef.setInput('returnUrl', returnUrl);
    }
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const fill = async (email: string, password: string) => {
      for (const [testId, value] of [
        ['email-input', email],
        ['password-input', password],
      ]) {
        const input = element.querySelector(
          `[data-testid="${testId}"]`,
        ) as HTMLInputElement;
        input.value = value;
        input.dispatchEvent(new Event('input'));
      }
      (
        element.querySelector(
          '[data-testid="submit-button"]',
        ) as HTMLButtonElement
      ).click();
      await fixture.whenStable();
    };
    return {
      fixture,
      element,
      fill,
      navigateByUrl,
      http: TestBed.inject(HttpTestingController),
    };
  }

  it('shows the API’s reason when the password is wrong', async () => {
    const { element, fill, http, fixture, navigateByUrl } = await setUp();
    await fill(me.email, 'wrong password');
    http.expectOne('/api/auth/login').flush(
      {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid email or password',
      },
      { status: 401, statusText: 'Unauthorized' },
    );
    await fixture.whenStable();

    const alert = element.querySelector('[data-testid="auth-error"]');
    expect(alert?.getAttribute('role')).toBe('alert');
    expect(alert?.textContent?.trim()).toBe('Invalid email or password');
    expect(navigateByUrl).not.toHaveBeenCalled();
  });

  it('opens the inbox after signing in', async () => {
    const { fill, http, navigateByUrl } = await setUp();
    await fill(me.email, 'correct horse');
    http
      .expectOne('/api/auth/login')
      .flush({ accessToken: fakeJwt(), user: me });
    expect(navigateByUrl).toHaveBeenCalledWith('/inbox');
  });

  it('returns to the page that asked for sign-in, but never to another site', async () => {
    const first = await setUp('/inbox/c-1');
    await first.fill(me.email, 'correct horse');
    first.http
      .expectOne('/api/auth/login')
      .flush({ accessToken: fakeJwt(), user: me });
    expect(first.navigateByUrl).toHaveBeenCalledWith('/inbox/c-1');

    TestBed.resetTestingModule();
    const second = await setUp('//evil.example.com');
    await second.fill(me.email, 'correct horse');
    second.http
      .expectOne('/api/auth/login')
      .flush({ accessToken: fakeJwt(), user: me });
    expect(second.navigateByUrl).toHaveBeenCalledWith('/inbox');
  });

  it('does not call the API with an invalid email, and says why', async () => {
    const { element, fill, http } = await setUp();
    await fill('not-an-email', 'whatever');
    http.expectNone('/api/auth/login');
    expect(element.textContent).toContain('Enter a valid email address.');
  });
});
