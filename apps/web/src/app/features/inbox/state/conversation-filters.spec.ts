import {
  instagramConversation,
  localConversation,
  grace,
  me,
} from '../../../../testing/fixtures';
import { conversationListItems } from './conversation-list-items';
import {
  emptyStateFor,
  filterOptions,
  matchesFilter,
} from './conversation-filters';

describe('conversation filters', () => {
  const shopOne = { id: '17841400000000001', username: 'shop_one' };
  const shopTwo = { id: '17841400000000002', username: 'shop_two' };
  const items = (
    conversations = [
      localConversation('c-grace', grace),
      instagramConversation('c-one', { instagramAccount: shopOne }),
      instagramConversation('c-two', {
        instagramAccount: shopTwo,
        unreadCount: 0,
        lastMessageAt: '2026-11-20T08:00:00.000Z',
      }),
    ],
  ) => conversationListItems(conversations, null, me.id);

  it('offers All, Unread, Team, Instagram and one button per receiving account, with counts', () => {
    expect(
      filterOptions(items()).map(({ value, label, count }) => [
        value,
        label,
        count,
      ]),
    ).toEqual([
      ['all', 'All', 3],
      ['unread', 'Unread', 1],
      ['local', 'Team', 1],
      ['instagram', 'Instagram', 2],
      [`account:${shopOne.id}`, '@shop_one', 1],
      [`account:${shopTwo.id}`, '@shop_two', 1],
    ]);
  });

  it('keeps the open conversation under Unread while it is read, without counting it unread', () => {
    const open = conversationListItems(
      [
        localConversation('c-grace', grace, { unreadCount: 0 }),
        instagramConversation('c-one', { unreadCount: 2 }),
      ],
      'c-one',
      me.id,
    );
    expect(
      open.filter((item) => matchesFilter(item, 'unread')).map((i) => i.id),
    ).toEqual(['c-one']);
    expect(
      filterOptions(open).find((option) => option.value === 'unread')?.count,
    ).toBe(0);
  });

  it('offers no account buttons while every Instagram conversation reaches the same account', () => {
    const single = items([
      localConversation('c-grace', grace),
      instagramConversation('c-one', { instagramAccount: shopOne }),
    ]);
    expect(filterOptions(single).map((option) => option.value)).toEqual([
      'all',
      'unread',
      'local',
      'instagram',
    ]);
  });

  it('keeps to one account, or to Instagram, or to team conversations', () => {
    const ids = (filter: Parameters<typeof matchesFilter>[1]) =>
      items()
        .filter((item) => matchesFilter(item, filter))
        .map((item) => item.id);
    expect(ids(`account:${shopTwo.id}`)).toEqual(['c-two']);
    expect(ids('instagram')).toEqual(['c-one', 'c-two']);
    expect(ids('local')).toEqual(['c-grace']);
    expect(ids('account:404')).toEqual([]);
  });

  it('names the receiving account on a row only when there are several', () => {
    const byId = new Map(items().map((item) => [item.id, item]));
    expect(byId.get('c-two')).toMatchObject({
      showAccount: true,
      account: { id: shopTwo.id, label: '@shop_two' },
    });
    expect(byId.get('c-grace')?.account).toBeUndefined();
    const single = items([
      instagramConversation('c-one', { instagramAccount: shopOne }),
    ]);
    expect(single[0].showAccount).toBe(false);
  });

  it('says what to do next when a filter leaves nothing', () => {
    expect(emptyStateFor('all', false)).toEqual({
      message: 'No conversations yet.',
      action: 'start',
    });
    expect(emptyStateFor('unread', true).action).toBe('show-all');
    expect(emptyStateFor('instagram', true)).toEqual({
      message: expect.stringContaining('No Instagram conversations yet'),
      action: 'connect',
    });
    expect(emptyStateFor('local', true).action).toBe('start');
  });
});
