import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import {
  grace,
  instagramConversation,
  localConversation,
  me,
  message,
} from '../../../../../testing/fixtures';
import { storedEntry } from '../../state/timeline';
import { MessageBubble } from './message-bubble';

const AT = '2026-11-20T10:00:00.000Z';
const CDN = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1';

describe('MessageBubble', () => {
  const instagram = instagramConversation('c-ig');
  const fromContact = (overrides: Partial<MessageDto> = {}) =>
    message('m-1', 'c-ig', null, '', AT, overrides);
  const myReply = (overrides: Partial<MessageDto> = {}) =>
    message('m-2', 'c-ig', me.id, 'Your order ships today', AT, {
      source: 'local',
      ...overrides,
    });

  async function render(
    dto: MessageDto,
    conversation: ConversationDto = instagram,
  ) {
    const fixture = TestBed.createComponent(MessageBubble);
    fixture.componentRef.setInput(
      'entry',
      storedEntry(dto, conversation, me.id),
    );
    fixture.componentRef.setInput('now', new Date(AT));
    await fixture.whenStable();
    const host = fixture.nativeElement as HTMLElement;
    return {
      fixture,
      host,
      text: () => host.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      find: <T extends Element = HTMLElement>(selector: string) =>
        host.querySelector<T>(selector),
      testId: <T extends Element = HTMLElement>(id: string) =>
        host.querySelector<T>(`[data-testid="${id}"]`),
    };
  }

  describe('channels and sides', () => {
    it('marks a local message as local, and mine apart from theirs', async () => {
      const local = localConversation('c-grace', grace);
      const mine = await render(
        message('m-1', 'c-grace', me.id, 'Hi Grace', AT),
        local,
      );
      const theirs = await render(
        message('m-2', 'c-grace', grace.id, 'Hi Ada', AT),
        local,
      );

      expect(mine.host.dataset['channel']).toBe('local');
      expect(mine.host.classList).toContain('mine');
      expect(theirs.host.classList).toContain('theirs');
      expect(mine.testId('instagram-badge')).toBeNull();
    });

    it('styles an Instagram message apart, with the Instagram badge and its time', async () => {
      const { host, testId } = await render(fromContact({ text: 'Hello!' }));

      expect(host.dataset['channel']).toBe('instagram');
      expect(host.dataset['status']).toBe('sent');
      expect(testId('instagram-badge')?.getAttribute('title')).toBe(
        'Instagram',
      );
      expect(host.querySelector('time')?.getAttribute('datetime')).toBe(AT);
    });

    it('keeps text as text: markup from a customer is shown, never run', async () => {
      const { testId, find } = await render(
        fromContact({ text: '<img src=x onerror="alert(1)"><b>bold</b>' }),
      );

      expect(testId('message-text')?.textContent).toBe(
        '<img src=x onerror="alert(1)"><b>bold</b>',
      );
      expect(find('img')).toBeNull();
      expect(find('b')).toBeNull();
    });
  });

  describe('attachments', () => {
    it('shows a picture inline, lazily, with alternative text', async () => {
      const { find } = await render(
        fromContact({ attachments: [{ type: 'image', url: CDN }] }),
      );
      const image = find<HTMLImageElement>('img');
      expect(image?.getAttribute('src')).toBe(CDN);
      expect(image?.getAttribute('loading')).toBe('lazy');
      expect(image?.alt).toBe('Photo from Cleo Customer');
    });

    it('says "Media no longer available" when Meta’s link for a picture or a video has expired', async () => {
      const { fixture, find, testId } = await render(
        fromContact({
          attachments: [
            { type: 'image', url: CDN },
            { type: 'video', url: `${CDN}&v` },
          ],
        }),
      );
      find('img')?.dispatchEvent(new Event('error'));
      find('video')?.dispatchEvent(new Event('error'));
      await fixture.whenStable();

      expect(find('img')).toBeNull();
      expect(find('video')).toBeNull();
      expect(
        fixture.nativeElement.querySelectorAll(
          '[data-testid="media-unavailable"]',
        ),
      ).toHaveLength(2);
      expect(testId('media-unavailable')?.textContent?.trim()).toBe(
        'Media no longer available',
      );
    });

    it('plays video and audio, and links a file', async () => {
      const { find, host } = await render(
        fromContact({
          attachments: [
            { type: 'video', url: `${CDN}&video` },
            { type: 'audio', url: `${CDN}&audio` },
            { type: 'file', url: `${CDN}&file` },
          ],
        }),
      );
      expect(find<HTMLVideoElement>('video')?.controls).toBe(true);
      expect(find<HTMLAudioElement>('audio')?.controls).toBe(true);
      const link = Array.from(host.querySelectorAll('a')).find((a) =>
        a.textContent?.includes('Open file'),
      );
      expect(link?.getAttribute('href')).toBe(`${CDN}&file`);
      expect(link?.rel).toContain('noopener');
    });

    it('shows a story mention as a card', async () => {
      const { testId } = await render(
        fromContact({ attachments: [{ type: 'story_mention', url: CDN }] }),
      );
      expect(testId('card-story_mention')?.textContent).toContain(
        'Mentioned you in their story',
      );
    });

    it('shows a shared story as a card, and names no type Meta may add, only "attachment"', async () => {
      const { testId, find } = await render(
        fromContact({
          attachments: [
            { type: 'ig_story', url: `${CDN}&story` },
            { type: 'some_future_type', url: `${CDN}&new` },
          ],
        }),
      );
      expect(testId('card-story_share')?.textContent).toContain(
        'Shared a story',
      );
      const other = find(`a[href="${CDN}&new"]`);
      expect(other?.textContent?.trim()).toBe('Open attachment');
    });

    it('shows a story reply with the story, or says the story is gone', async () => {
      const withStory = await render(
        fromContact({
          text: 'Love this!',
          replyTo: { storyId: 's-1', storyUrl: CDN },
        }),
      );
      expect(withStory.testId('card-story_reply')?.textContent).toContain(
        'Replied to your story',
      );
      expect(withStory.find('img')?.getAttribute('src')).toBe(CDN);
      expect(withStory.testId('message-text')?.textContent).toBe('Love this!');

      const expired = await render(
        fromContact({ text: 'Love this!', replyTo: { storyId: 's-1' } }),
      );
      expect(expired.testId('media-unavailable')?.textContent).toContain(
        'stories disappear after 24 hours',
      );
    });

    it('shows one card for a shared post that Meta sends as share and ig_post, and a card for a reel', async () => {
      const post = await render(
        fromContact({
          attachments: [
            { type: 'share', url: CDN },
            { type: 'ig_post', url: CDN },
          ],
        }),
      );
      expect(
        post.host.querySelectorAll('[data-testid="card-post"]'),
      ).toHaveLength(1);

      const reel = await render(
        fromContact({ attachments: [{ type: 'ig_reel', url: CDN }] }),
      );
      expect(reel.testId('card-reel')?.textContent).toContain('Shared a reel');
    });
  });

  describe('what happened to a message', () => {
    it('shows reactions with a count, naming who reacted', async () => {
      const { host } = await render(
        fromContact({
          text: 'Thanks',
          reactions: [
            {
              reaction: '❤️',
              instagramSenderId: '1784001',
              reactedAt: '2026-11-20T10:01:00.000Z',
            },
            {
              reaction: '❤️',
              instagramSenderId: '1784999',
              reactedAt: '2026-11-20T10:02:00.000Z',
            },
            {
              reaction: '👍',
              instagramSenderId: '1784001',
              reactedAt: '2026-11-20T10:03:00.000Z',
            },
          ],
        }),
      );
      const chips = Array.from(
        host.querySelectorAll<HTMLElement>('[data-testid="reaction"]'),
      );
      expect(chips.map((chip) => chip.title)).toEqual([
        'Cleo Customer, Your account',
        'Cleo Customer',
      ]);
      expect(chips[0].textContent).toContain('2');
    });

    it('marks an edited message', async () => {
      const { testId } = await render(
        fromContact({
          text: 'Fixed typo',
          editedAt: '2026-11-20T10:05:00.000Z',
          editCount: 1,
        }),
      );
      expect(testId('message-edited')?.textContent).toContain('edited');
    });

    it('leaves a placeholder for a deleted message, without its content', async () => {
      const { testId, find } = await render(
        fromContact({
          text: '',
          deletedAt: '2026-11-20T10:05:00.000Z',
          attachments: [],
        }),
      );
      expect(testId('message-deleted')?.textContent).toContain(
        'Message deleted',
      );
      expect(testId('message-text')).toBeNull();
      expect(find('img')).toBeNull();
    });

    it('notes a message Instagram could not hand over', async () => {
      const { testId } = await render(fromContact({ unsupported: true }));
      expect(testId('message-unsupported')?.textContent).toContain(
        'Unsupported message',
      );
    });
  });

  describe('delivery', () => {
    it('shows a pending reply as such', async () => {
      const { fixture, host, testId } = await render(
        myReply({ status: 'pending' }),
      );
      fixture.componentRef.setInput('statusLabel', 'Sending…');
      await fixture.whenStable();
      expect(host.dataset['status']).toBe('pending');
      expect(testId('message-status')?.textContent).toContain('Sending…');
    });

    it('offers the way to reconnect when a reply failed because the account must be connected again', async () => {
      TestBed.configureTestingModule({ providers: [provideRouter([])] });
      const refused = await render(
        myReply({
          status: 'failed',
          error: 'Meta no longer accepts this account’s access.',
          deliveryError: {
            code: 190,
            mayHaveBeenDelivered: false,
            reconnectRequired: true,
          },
        }),
      );
      expect(refused.testId('reconnect-account')?.getAttribute('href')).toBe(
        '/instagram',
      );

      const otherFailure = await render(
        myReply({
          status: 'failed',
          error: 'Instagram refused this message.',
          deliveryError: { code: 551, mayHaveBeenDelivered: false },
        }),
      );
      expect(otherFailure.testId('reconnect-account')).toBeNull();
    });

    it('shows a failed reply with Meta’s words and retries it at once when it surely did not arrive', async () => {
      const { fixture, testId } = await render(
        myReply({
          status: 'failed',
          error: 'Instagram refused this message.',
          deliveryError: {
            code: 551,
            title: 'Person unavailable',
            userMessage: 'This person isn’t available right now.',
            mayHaveBeenDelivered: false,
          },
        }),
      );
      const retried: string[] = [];
      fixture.componentInstance.retryDelivery.subscribe((id) =>
        retried.push(id),
      );

      expect(testId('failure-title')?.textContent).toBe('Person unavailable');
      expect(testId('message-error')?.textContent).toBe(
        'This person isn’t available right now.',
      );
      testId<HTMLButtonElement>('retry-message')?.click();
      expect(retried).toEqual(['m-2']);
    });

    it('asks before sending again a reply that may have been delivered, and sends nothing on Cancel', async () => {
      const { fixture, host, testId } = await render(
        myReply({
          status: 'failed',
          error:
            'Instagram did not confirm this message; it may have been delivered.',
          deliveryError: { mayHaveBeenDelivered: true },
        }),
      );
      const retried: string[] = [];
      fixture.componentInstance.retryDelivery.subscribe((id) =>
        retried.push(id),
      );
      const button = (name: string) =>
        Array.from(host.querySelectorAll('button')).find(
          (candidate) => candidate.textContent?.trim() === name,
        ) as HTMLButtonElement;

      expect(testId('message-error')?.textContent).toContain(
        'may have been delivered',
      );
      button('Retry').click();
      await fixture.whenStable();
      expect(testId('retry-confirmation')?.textContent).toContain(
        'would get it twice',
      );
      expect(document.activeElement?.textContent?.trim()).toBe('Send again');
      expect(retried).toEqual([]);

      button('Cancel').click();
      await fixture.whenStable();
      expect(testId('retry-confirmation')).toBeNull();
      expect(retried).toEqual([]);

      button('Retry').click();
      await fixture.whenStable();
      button('Send again').click();
      expect(retried).toEqual(['m-2']);
    });

    it('offers no retry for a failure in a local conversation (nothing to send it through again)', async () => {
      const { testId } = await render(
        message('m-3', 'c-grace', me.id, 'Hi', AT, {
          status: 'failed',
          error: 'The message could not be delivered',
        }),
        localConversation('c-grace', grace),
      );
      expect(testId('message-error')?.textContent).toBe(
        'The message could not be delivered',
      );
      expect(testId('retry-message')).toBeNull();
    });
  });
});
