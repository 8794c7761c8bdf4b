import {
  HttpClient,
  provideHttpClient,
  withInterceptors,
} from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { memoryStorage, session } from '../../../testing/fixtures';
import { authInterceptor } from './auth.interceptor';
import { AuthService } from './auth.service';
import { SESSION_STORAGE } from './session-storage';

describe('authInterceptor', () => {
  const signedIn = session();

  function setUp(storage = memoryStorage(signedIn)) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    const navigate = jest
      .spyOn(TestBed.inject(Router), 'navigate')
      .mockResolvedValue(true);
    return {
      client: TestBed.inject(HttpClient),
      http: TestBed.inject(HttpTestingController),
      auth: TestBed.inject(AuthService),
      navigate,
    };
  }

  it('sends the token to our API', () => {
    const { client, http } = setUp();
    client.get('/api/conversations').subscribe();
    const request = http.expectOne('/api/conversations');
    expect(request.request.headers.get('Authorization')).toBe(
      `Bearer ${signedIn.accessToken}`,
    );
    request.flush([]);
  });

  it('never sends the token to another origin', () => {
    const { client, http } = setUp();
    client.get('https://cdn.example.com/api/avatar.png').subscribe();
    const request = http.expectOne('https://cdn.example.com/api/avatar.png');
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush('');
  });

  it('signs out and opens the sign-in page when the API rejects the token', () => {
    const { client, http, auth, navigate } = setUp();
    let failed = false;
    client
      .get('/api/conversations')
      .subscribe({ error: () => (failed = true) });
    http
      .expectOne('/api/conversations')
      .flush({}, { status: 401, statusText: 'Unauthorized' });

    expect(failed).toBe(true);
    expect(auth.isAuthenticated()).toBe(false);
    expect(navigate).toHaveBeenCalledWith(['/login'], {
      queryParams: { reason: 'expired' },
    });
  });

  it('leaves a wrong password at sign-in to the form', () => {
    const { client, http, navigate } = setUp(memoryStorage());
    client.post('/api/auth/login', {}).subscribe({ error: () => undefined });
    http
      .expectOne('/api/auth/login')
      .flush({}, { status: 401, statusText: 'Unauthorized' });
    expect(navigate).not.toHaveBeenCalled();
  });

  it('keeps the session on other errors', () => {
    const { client, http, auth } = setUp();
    client.get('/api/conversations/x').subscribe({ error: () => undefined });
    http
      .expectOne('/api/conversations/x')
      .flush({}, { status: 404, statusText: 'Not Found' });
    expect(auth.isAuthenticated()).toBe(true);
  });
});
