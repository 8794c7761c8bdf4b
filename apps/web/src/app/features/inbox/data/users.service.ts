import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { UserDto } from '@instantchat/contracts';
import { Observable } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class UsersService {
  private readonly http = inject(HttpClient);

  /** People to start a conversation with, matched by the start of their name or email. */
  search(term: string): Observable<UserDto[]> {
    const params = new HttpParams().set('search', term.trim());
    return this.http.get<UserDto[]>('/api/users', { params });
  }
}
