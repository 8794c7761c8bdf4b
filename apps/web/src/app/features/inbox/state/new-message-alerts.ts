import { Injectable, inject } from '@angular/core';
import { InboxSettingsState } from './inbox-settings.state';

/**
 * A desktop notification and a short sound for a message from someone else, as the person's
 * settings allow. A notification is shown only when the person is not already looking at that
 * conversation in a visible tab.
 */
@Injectable()
export class NewMessageAlerts {
  private readonly settings = inject(InboxSettingsState);
  private audio: AudioContext | null = null;

  alert(
    from: string,
    text: string,
    isOnScreen: boolean,
    open: () => void,
  ): void {
    const { notifications, sound } = this.settings.settings();
    const seen = isOnScreen && document.visibilityState === 'visible';
    if (
      notifications &&
      !seen &&
      typeof Notification !== 'undefined' &&
      Notification.permission === 'granted'
    ) {
      const notification = new Notification(from, {
        body: text,
        tag: `instantchat:${from}`,
      });
      notification.onclick = () => {
        window.focus();
        open();
        notification.close();
      };
    }
    if (sound) {
      this.chime();
    }
  }

  /** Two short tones, made here rather than shipped as a sound file. */
  private chime(): void {
    try {
      this.audio ??= new AudioContext();
      const context = this.audio;
      [880, 1320].forEach((frequency, index) => {
        const oscillator = context.createOscillator();
        const gain = context.createGain();
        const start = context.currentTime + index * 0.12;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.08, start);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.1);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.1);
      });
    } catch {
      // No audio output (or blocked until the page is touched): the badge still tells.
    }
  }
}
