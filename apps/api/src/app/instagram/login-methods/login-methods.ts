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
    const enabled = new Set<string>(config.meta.loginMethods);
    this.byName = new Map<InstagramLoginMethod, LoginMethod>(
      [instagram, facebook]
        .filter((loginMethod) => enabled.has(loginMethod.method))
        .map((loginMethod) => [loginMethod.method, loginMethod]),
    );
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
