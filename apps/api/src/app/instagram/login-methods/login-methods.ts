import type { InstagramLoginMethod } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { FacebookLogin } from './facebook-login';
import { InstagramLogin } from './instagram-login';
import type { LoginMethod } from './login-method';

/** The login methods this server offers (META_LOGIN_METHODS), by name. */
@Injectable()
export class LoginMethods {
  private readonly byName: ReadonlyMap<InstagramLoginMethod, LoginMethod>;

  constructor(
    config: AppConfigService,
    instagram: InstagramLogin,
    facebook: FacebookLogin,
  ) {
    const all = new Map<string, LoginMethod>(
      [instagram, facebook].map((loginMethod) => [
        loginMethod.method,
        loginMethod,
      ]),
    );
    // In the configured order, which puts the default (`instagram`, when enabled) first.
    this.byName = new Map(
      config.meta.loginMethods.flatMap((name) => {
        const loginMethod = all.get(name);
        return loginMethod ? [[loginMethod.method, loginMethod] as const] : [];
      }),
    );
  }

  /** The enabled methods, the default (`instagram` when enabled) first. */
  get names(): InstagramLoginMethod[] {
    return [...this.byName.keys()];
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
