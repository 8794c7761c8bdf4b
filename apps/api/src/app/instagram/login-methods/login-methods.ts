import type { InstagramLoginMethod } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { FacebookLogin } from './facebook-login';
import type { LoginMethod } from './login-method';

/** The login methods this server offers, by name. */
@Injectable()
export class LoginMethods {
  private readonly byName: ReadonlyMap<InstagramLoginMethod, LoginMethod>;

  constructor(facebook: FacebookLogin) {
    this.byName = new Map<InstagramLoginMethod, LoginMethod>([
      [facebook.method, facebook],
    ]);
  }

  isAvailable(method: InstagramLoginMethod): boolean {
    return this.byName.has(method);
  }

  get(method: InstagramLoginMethod): LoginMethod {
    const loginMethod = this.byName.get(method);
    if (!loginMethod)
      throw new Error(`Login method ${method} is not available`);
    return loginMethod;
  }
}
