import { Types } from 'mongoose';
import {
  PREVIEW_MAX_LENGTH,
  previewText,
  toConversationDto,
  toMessageDto,
} from './chat.mapper';
import type { ConversationRecord, MessageRecord } from './chat.records';
import { localMessageRecord } from './testing/message-record';

const alice = new Types.ObjectId();
const bob = new Types.ObjectId();
const names = new Map([
  [alice.toHexString(), 'Alice'],
  [bob.toHexString(), 'Bob'],
]);

function conversation(
  overrides: Partial<ConversationRecord> = {},
): ConversationRecord {
  const createdAt = new Date('2026-11-25T09:00:00.000Z');
  return {
    _id: new Types.ObjectId(),
    kind: 'local',
    participantIds: [alice, bob],
    lastMessageAt: createdAt,
    lastMessage: null,
    unreadCounts: { [alice.toHexString()]: 0, [bob.toHexString()]: 3 },
    lastReadAt: {},
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function message(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return localMessageRecord({
    senderUserId: alice,
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    ...overrides,
  });
}

describe('toConversationDto', () => {
  it('gives each viewer their own unread count', () => {
    const record = conversation();

    expect(
      toConversationDto(record, alice.toHexString(), names).unreadCount,
    ).toBe(0);
    expect(
      toConversationDto(record, bob.toHexString(), names).unreadCount,
    ).toBe(3);
  });

  it('gives each viewer their own read position, null before their first read', () => {
    const readAt = new Date('2026-11-25T10:30:00.000Z');
    const record = conversation({
      lastReadAt: { [alice.toHexString()]: readAt },
    });

    expect(
      toConversationDto(record, alice.toHexString(), names).lastReadAt,
    ).toBe(readAt.toISOString());
    expect(
      toConversationDto(record, bob.toHexString(), names).lastReadAt,
    ).toBeNull();
  });

  it('names the participants, and still lists one whose account is gone', () => {
    const dto = toConversationDto(
      conversation(),
      alice.toHexString(),
      new Map([[alice.toHexString(), 'Alice']]),
    );

    expect(dto.participants).toEqual([
      { id: alice.toHexString(), displayName: 'Alice' },
      { id: bob.toHexString(), displayName: 'Unknown user' },
    ]);
  });

  it('maps the last-message preview', () => {
    const at = new Date('2026-11-25T11:00:00.000Z');
    const dto = toConversationDto(
      conversation({
        lastMessageAt: at,
        lastMessage: {
          messageId: new Types.ObjectId(),
          text: 'See you',
          senderUserId: bob,
          source: 'local',
          createdAt: at,
        },
      }),
      alice.toHexString(),
      names,
    );

    expect(dto.lastMessage).toEqual({
      text: 'See you',
      senderUserId: bob.toHexString(),
      createdAt: at.toISOString(),
    });
    expect(dto.lastMessageAt).toBe(at.toISOString());
  });

  it('shows an Instagram conversation’s contact and no contact on a local one', () => {
    const instagram = conversation({
      kind: 'instagram',
      participantIds: [alice],
      instagram: {
        connectionId: new Types.ObjectId(),
        accountId: '17841400000000000',
        contactIgsid: '9988776655',
        contactProfile: { username: 'jane.doe', name: 'Jane Doe' },
      },
    });

    expect(
      toConversationDto(instagram, alice.toHexString(), names).instagramContact,
    ).toEqual({
      igsid: '9988776655',
      username: 'jane.doe',
      name: 'Jane Doe',
      profilePictureUrl: undefined,
    });
    expect(
      toConversationDto(instagram, alice.toHexString(), names, {
        accountUsername: 'bluejacket.store',
      }).instagramAccount,
    ).toEqual({ id: '17841400000000000', username: 'bluejacket.store' });
    expect(
      toConversationDto(conversation(), alice.toHexString(), names)
        .instagramAccount,
    ).toBeUndefined();
    expect(
      toConversationDto(conversation(), alice.toHexString(), names)
        .instagramContact,
    ).toBeUndefined();
  });
});

describe('toMessageDto', () => {
  it('maps a local message', () => {
    const record = message();

    expect(toMessageDto(record)).toEqual({
      id: record._id.toHexString(),
      conversationId: record.conversationId.toHexString(),
      source: 'local',
      senderUserId: alice.toHexString(),
      text: 'Hello',
      attachments: [],
      status: 'sent',
      error: null,
      isFromInstagram: false,
      createdAt: '2026-11-25T10:00:00.000Z',
      deletedAt: null,
      clientMessageId: null,
    });
  });

  it('echoes the clientMessageId the author sent it with', () => {
    const clientMessageId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

    expect(toMessageDto(message({ clientMessageId })).clientMessageId).toBe(
      clientMessageId,
    );
  });

  it('keeps an unsent message in place but drops its content', () => {
    const deletedAt = new Date('2026-11-25T10:05:00.000Z');
    const dto = toMessageDto(
      message({
        deletedAt,
        attachments: [{ type: 'image', url: 'https://cdn.example/x.jpg' }],
      }),
    );

    expect(dto).toMatchObject({
      text: '',
      attachments: [],
      deletedAt: deletedAt.toISOString(),
    });
  });

  it('gives a message from an Instagram contact no sender user', () => {
    const dto = toMessageDto(
      message({
        source: 'instagram',
        senderUserId: null,
        isFromInstagram: true,
      }),
    );

    expect(dto).toMatchObject({
      senderUserId: null,
      isFromInstagram: true,
      source: 'instagram',
    });
  });
});

describe('previewText', () => {
  it('flattens line breaks into one line', () => {
    expect(previewText('  first line\n\nsecond\tline ')).toBe(
      'first line second line',
    );
  });

  it('cuts long text with an ellipsis at the preview length', () => {
    const preview = previewText('x'.repeat(500));

    expect(preview).toHaveLength(PREVIEW_MAX_LENGTH);
    expect(preview.endsWith('…')).toBe(true);
  });
});
