import {
  ChangeDetectionStrategy,
  Component,
  inject,
  signal,
} from '@angular/core';
import { InboxSettingsState } from '../../state/inbox-settings.state';

/**
 * The small settings menu: desktop notifications, sound, unread count in the tab title. Turning
 * notifications on is what asks the browser's permission, never before.
 */
@Component({
  selector: 'ic-inbox-settings',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './inbox-settings.html',
  styleUrl: './inbox-settings.css',
  host: { '(keydown.escape)': 'open.set(false)' },
})
export class InboxSettingsMenu {
  protected readonly state = inject(InboxSettingsState);
  protected readonly open = signal(false);
  protected readonly permissionNote = signal<string | null>(null);

  protected async setNotifications(on: boolean): Promise<void> {
    this.permissionNote.set(null);
    if (!on) {
      this.state.update({ notifications: false });
      return;
    }
    if (typeof Notification === 'undefined') {
      this.permissionNote.set('This browser cannot show notifications.');
      this.state.update({ notifications: false });
      return;
    }
    const permission =
      Notification.permission === 'granted'
        ? 'granted'
        : await Notification.requestPermission();
    if (permission === 'granted') {
      this.state.update({ notifications: true });
    } else {
      this.state.update({ notifications: false });
      this.permissionNote.set(
        'Notifications are blocked for this site in the browser’s settings.',
      );
    }
  }
}
