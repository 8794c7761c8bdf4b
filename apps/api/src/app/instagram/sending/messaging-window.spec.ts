import { replyWindowAt } from './messaging-window';

const HOUR = 3_600_000;
const lastInbound = new Date('2026-11-20T10:00:00.000Z');
const after = (hours: number) => new Date(lastInbound.getTime() + hours * HOUR);

describe('replyWindowAt', () => {
  it('is open without a tag for 24 hours after the contact’s last message', () => {
    expect(replyWindowAt(lastInbound, after(23.9), false)).toEqual({
      open: true,
      humanAgent: false,
      closesAt: after(24),
    });
  });

  it('closes at 24 hours without the human agent tag', () => {
    expect(replyWindowAt(lastInbound, after(24), false)).toEqual({
      open: false,
      closedAt: after(24),
    });
  });

  it('stays open with the HUMAN_AGENT tag until 7 days when the server may use it', () => {
    expect(replyWindowAt(lastInbound, after(1), true)).toEqual({
      open: true,
      humanAgent: false,
      closesAt: after(7 * 24),
    });
    expect(replyWindowAt(lastInbound, after(24), true)).toEqual({
      open: true,
      humanAgent: true,
      closesAt: after(7 * 24),
    });
  });

  it('closes at 7 days even for a human agent', () => {
    expect(replyWindowAt(lastInbound, after(7 * 24), true)).toEqual({
      open: false,
      closedAt: after(7 * 24),
    });
  });

  it('is closed, with no closing time, when the contact never wrote', () => {
    expect(replyWindowAt(undefined, after(0), true)).toEqual({
      open: false,
      closedAt: null,
    });
  });
});
