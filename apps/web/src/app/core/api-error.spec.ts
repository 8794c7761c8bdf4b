import { HttpErrorResponse } from '@angular/common/http';
import { apiErrorMessage } from './api-error';

describe('apiErrorMessage', () => {
  const response = (status: number, error: unknown) =>
    new HttpErrorResponse({ status, error });

  it('uses the API’s message', () => {
    expect(
      apiErrorMessage(
        response(409, {
          statusCode: 409,
          error: 'Conflict',
          message: 'email is already registered',
        }),
      ),
    ).toBe('Email is already registered');
  });

  it('joins validation messages', () => {
    expect(
      apiErrorMessage(
        response(400, {
          statusCode: 400,
          error: 'Bad Request',
          message: [
            'email must be a valid email address',
            'password must be longer than or equal to 8 characters',
          ],
        }),
      ),
    ).toBe(
      'Email must be a valid email address. Password must be longer than or equal to 8 characters',
    );
  });

  it('explains a network failure', () => {
    expect(apiErrorMessage(response(0, new ProgressEvent('error')))).toMatch(
      /Cannot reach the server/,
    );
  });

  it('falls back when the body says nothing useful', () => {
    expect(
      apiErrorMessage(
        response(502, '<html>Bad gateway</html>'),
        'Could not sign in.',
      ),
    ).toBe('Could not sign in.');
    expect(apiErrorMessage(new Error('boom'), 'Could not sign in.')).toBe(
      'Could not sign in.',
    );
  });
});
