import { Injectable, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { MessageDto } from '@instantchat/contracts';
import { PageVisibility } from '../../../core/page/page-visibility';
import { InboxSettingsState } from './inbox-settings.state';

/**
 * Telling the person about a message from someone else: always in words for screen readers, and
 * with a desktop notification and a short sound as their settings allow. A notification is shown
 * only when the person is not already looking at that conversation in a visible tab; clicking it
 * opens the conversation.
 */
@Injectable()
export class NewMessageAlerts {
  private readonly settings = inject(InboxSettingsState);
  private readonly router = inject(Router);
  private readonly visibility = inject(PageVisibility);
  private audio: AudioContext | null = null;

  /** The latest incoming message in words, for screen readers (an aria-live region). */
  readonly announcement = signal('');

  alert(from: string, message: MessageDto, isOnScreen: boolean): void {
    const { text, conversationId } = message;
    this.announcement.set(`New message from ${from}: ${text}`);
    const { notifications, sound } = this.settings.settings();
    const seen = isOnScreen && this.visibility.isVisible();
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
        void this.router.navigate(['/inbox', conversationId]);
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
