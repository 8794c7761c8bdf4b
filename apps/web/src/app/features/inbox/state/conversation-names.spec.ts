import {
  grace,
  instagramConversation,
  localConversation,
  me,
} from '../../../../testing/fixtures';
import {
  conversationPreview,
  conversationTitle,
  senderName,
} from './conversation-names';

describe('conversation names', () => {
  it('calls a local conversation after the other person', () => {
    expect(conversationTitle(localConversation('c-1', grace), me.id)).toBe(
      'Grace Hopper',
    );
  });

  it('calls an Instagram conversation after the contact’s name, else their @username', () => {
    expect(conversationTitle(instagramConversation('c-ig'), me.id)).toBe(
      'Cleo Customer',
    );
    expect(
      conversationTitle(
        instagramConversation('c-ig', {
          instagramContact: { igsid: '1', username: 'cleo' },
        }),
        me.id,
      ),
    ).toBe('@cleo');
    expect(
      conversationTitle(
        instagramConversation('c-ig', { instagramContact: { igsid: '1' } }),
        me.id,
      ),
    ).toBe('Instagram user');
  });

  it('prefixes my own last message and names a textless one', () => {
    const mine = localConversation('c-1', grace, {
      lastMessage: {
        text: 'On my way',
        senderUserId: me.id,
        createdAt: '2026-11-20T10:00:00.000Z',
      },
    });
    const photo = instagramConversation('c-ig', {
      lastMessage: {
        text: '',
        senderUserId: null,
        createdAt: '2026-11-20T10:00:00.000Z',
      },
    });
    expect(conversationPreview(mine, me.id)).toBe('You: On my way');
    expect(conversationPreview(photo, me.id)).toBe('Attachment');
    // Taken back by the contact (an Instagram unsend): nothing of it is left to show.
    const unsent = instagramConversation('c-ig', {
      lastMessage: {
        text: '',
        senderUserId: null,
        createdAt: '2026-11-20T10:00:00.000Z',
        deleted: true,
      },
    });
    expect(conversationPreview(unsent, me.id)).toBe('Message deleted');
  });

  it('says what a message of attachments only brought', () => {
    const withAttachments = (attachmentTypes?: string[]) =>
      conversationPreview(
        instagramConversation('c-ig', {
          lastMessage: {
            text: '',
            senderUserId: null,
            createdAt: '2026-11-20T10:00:00.000Z',
            ...(attachmentTypes && { attachmentTypes }),
          },
        }),
        me.id,
      );
    expect(withAttachments(['image'])).toBe('Photo');
    expect(withAttachments(['ig_story'])).toBe('Shared a story');
    expect(withAttachments(['audio'])).toBe('Voice message');
    // Meta sends a shared post twice (share and ig_post): one thing came.
    expect(withAttachments(['share', 'ig_post'])).toBe('Shared a post');
    expect(withAttachments(['image', 'image', 'video'])).toBe('3 attachments');
    expect(withAttachments(['something_new'])).toBe('Attachment');
    // A server from before attachment types were listed.
    expect(withAttachments()).toBe('Attachment');
    expect(conversationPreview(localConversation('c-2', grace), me.id)).toBe(
      'No messages yet',
    );
  });

  it('names senders: me, a participant, or the Instagram contact', () => {
    const local = localConversation('c-1', grace);
    expect(senderName(me.id, local, me.id)).toBe('You');
    expect(senderName(grace.id, local, me.id)).toBe('Grace Hopper');
    expect(senderName(null, instagramConversation('c-ig'), me.id)).toBe(
      'Cleo Customer',
    );
  });
});
