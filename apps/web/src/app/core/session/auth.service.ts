import { HttpClient } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type {
  AuthResponseDto,
  LoginDto,
  RegisterDto,
  UserDto,
} from '@instantchat/contracts';
import { Observable, tap } from 'rxjs';
import { SESSION_STORAGE } from './session-storage';

export interface Session {
  accessToken: string;
  user: UserDto;
}

const STORAGE_KEY = 'instantchat.session';

/** Who is signed in. The one owner of the access token. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly storage = inject(SESSION_STORAGE);

  private readonly session = signal<Session | null>(this.restore());

  readonly user = computed(() => this.session()?.user ?? null);
  readonly accessToken = computed(() => this.session()?.accessToken ?? null);
  readonly isAuthenticated = computed(() => this.session() !== null);

  login(credentials: LoginDto): Observable<AuthResponseDto> {
    return this.http
      .post<AuthResponseDto>('/api/auth/login', credentials)
      .pipe(tap((response) => this.start(response)));
  }

  register(details: RegisterDto): Observable<AuthResponseDto> {
    return this.http
      .post<AuthResponseDto>('/api/auth/register', details)
      .pipe(tap((response) => this.start(response)));
  }

  /** Refreshes the signed-in user's profile from the server. */
  refreshUser(): Observable<UserDto> {
    return this.http.get<UserDto>('/api/auth/me').pipe(
      tap((user) => {
        const current = this.session();
        if (current) {
          this.persist({ ...current, user });
        }
      }),
    );
  }

  /** Ends the session locally and shows the sign-in page. */
  logout(reason?: 'expired'): void {
    this.session.set(null);
    this.storage.removeItem(STORAGE_KEY);
    void this.router.navigate(
      ['/login'],
      reason ? { queryParams: { reason } } : {},
    );
  }

  private start(response: AuthResponseDto): void {
    this.persist({ accessToken: response.accessToken, user: response.user });
  }

  private persist(session: Session): void {
    this.session.set(session);
    this.storage.setItem(STORAGE_KEY, JSON.stringify(session));
  }

  private restore(): Session | null {
    let session: Session | null = null;
    try {
      const raw = this.storage.getItem(STORAGE_KEY);
      session = raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      session = null;
    }
    if (
      !session?.accessToken ||
      !session.user?.id ||
      isExpired(session.accessToken)
    ) {
      this.storage.removeItem(STORAGE_KEY);
      return null;
    }
    return session;
  }
}

/**
 * Reads the JWT's `exp` so an expired session opens the sign-in page at once instead of
 * flashing the inbox and bouncing on the first 401. The signature is the server's business.
 */
export function isExpired(token: string, now = Date.now()): boolean {
  const payload = token.split('.')[1];
  if (!payload) {
    return true;
  }
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const { exp } = JSON.parse(json) as { exp?: unknown };
    return typeof exp === 'number' && exp * 1000 <= now;
  } catch {
    return true;
  }
}
