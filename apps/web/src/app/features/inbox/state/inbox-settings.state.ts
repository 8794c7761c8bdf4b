import {
  Injectable,
  InjectionToken,
  computed,
  inject,
  signal,
} from '@angular/core';
import { AuthService } from '../../../core/session/auth.service';

/** Where the settings are kept; a token so tests can hand in another Storage. */
export const SETTINGS_STORAGE = new InjectionToken<Storage>(
  'SETTINGS_STORAGE',
  { providedIn: 'root', factory: () => localStorage },
);

/** How the inbox gets the person's attention when someone writes. */
export interface InboxSettings {
  /** A desktop notification (asks the browser's permission when switched on). */
  notifications: boolean;
  sound: boolean;
  /** "(3) Inbox · InstantChat" in the tab. */
  unreadInTitle: boolean;
}

const DEFAULTS: InboxSettings = {
  notifications: false,
  sound: false,
  unreadInTitle: true,
};

const KEY_PREFIX = 'instantchat.settings';

/** The person's inbox settings, kept in this browser per user. */
@Injectable()
export class InboxSettingsState {
  private readonly storage = inject(SETTINGS_STORAGE);
  private readonly auth = inject(AuthService);
  private readonly changed = signal<InboxSettings | null>(null);

  readonly settings = computed<InboxSettings>(
    () => this.changed() ?? this.stored(),
  );

  update(patch: Partial<InboxSettings>): void {
    const next = { ...this.settings(), ...patch };
    this.changed.set(next);
    const key = this.key();
    if (!key) {
      return;
    }
    try {
      this.storage.setItem(key, JSON.stringify(next));
    } catch {
      // Storage full or blocked: the settings still hold for this visit.
    }
  }

  private stored(): InboxSettings {
    const key = this.key();
    try {
      const raw = key ? this.storage.getItem(key) : null;
      const parsed = raw ? (JSON.parse(raw) as Partial<InboxSettings>) : {};
      return {
        notifications: parsed.notifications === true,
        sound: parsed.sound === true,
        unreadInTitle: parsed.unreadInTitle !== false,
      };
    } catch {
      return DEFAULTS;
    }
  }

  private key(): string | null {
    const userId = this.auth.user()?.id;
    return userId ? `${KEY_PREFIX}.${userId}` : null;
  }
}
