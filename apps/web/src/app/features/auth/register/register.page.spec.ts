import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { fakeJwt, me, memoryStorage } from '../../../../testing/fixtures';
import { SESSION_STORAGE } from '../../../core/session/session-storage';
import { RegisterPage } from './register.page';

describe('RegisterPage', () => {
  async function setUp() {
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
    const fixture = TestBed.createComponent(RegisterPage);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const field = (testId: string) =>
      element.querySelector(`[data-testid="${testId}"]`) as HTMLInputElement;
    const submit = async (name: string, email: string, password: string) => {
      for (const [testId, value] of [
        ['display-name-input', name],
        ['email-input', email],
        ['password-input', password],
      ]) {
        field(testId).value = value;
        field(testId).dispatchEvent(new Event('input'));
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
      field,
      submit,
      navigateByUrl,
      http: TestBed.inject(HttpTestingController),
    };
  }

  it('creates the account with a trimmed name and email, then opens the inbox', async () => {
    const { submit, http, navigateByUrl } = await setUp();
    await submit('  Ada Lovelace ', ' ada@example.com ', 'analytical-engine');

    const request = http.expectOne('/api/auth/register');
    expect(request.request.body).toEqual({
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      password: 'analytical-engine',
    });
    request.flush({ accessToken: fakeJwt(), user: me });
    expect(navigateByUrl).toHaveBeenCalledWith('/inbox');
  });

  it('does not call the API with a blank name or a short password, and marks both fields', async () => {
    const { submit, http, element, field } = await setUp();
    await submit('   ', me.email, 'short');

    http.expectNone('/api/auth/register');
    expect(element.textContent).toContain(
      'Enter the name other people will see.',
    );
    expect(field('display-name-input').getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(field('password-input').getAttribute('aria-invalid')).toBe('true');
    const hint = element.querySelector(
      `#${field('password-input').getAttribute('aria-describedby')}`,
    );
    expect(hint?.textContent).toMatch(/At least \d+ characters/);
    expect(hint?.classList).toContain('field-error');
  });

  it('shows the API’s reason when the email is taken, and lets the person try again', async () => {
    const { submit, http, element, fixture } = await setUp();
    await submit('Ada', me.email, 'analytical-engine');
    http.expectOne('/api/auth/register').flush(
      {
        statusCode: 409,
        error: 'Conflict',
        message: 'An account with this email already exists',
      },
      { status: 409, statusText: 'Conflict' },
    );
    await fixture.whenStable();

    expect(
      element.querySelector('[data-testid="auth-error"]')?.textContent?.trim(),
    ).toBe('An account with this email already exists');
    expect(
      (
        element.querySelector(
          '[data-testid="submit-button"]',
        ) as HTMLButtonElement
      ).disabled,
    ).toBe(false);
  });
});
