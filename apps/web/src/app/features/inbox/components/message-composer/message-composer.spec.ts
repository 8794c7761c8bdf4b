import { TestBed } from '@angular/core/testing';
import { INSTAGRAM_TEXT_LIMIT, MessageComposer } from './message-composer';

describe('MessageComposer', () => {
  async function setUp() {
    const fixture = TestBed.createComponent(MessageComposer);
    fixture.componentRef.setInput('recipient', 'Grace Hopper');
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const field = element.querySelector('textarea') as HTMLTextAreaElement;
    const sendButton = element.querySelector(
      '[data-testid="send-button"]',
    ) as HTMLButtonElement;
    const sent: string[] = [];
    let typingEvents = 0;
    fixture.componentInstance.send.subscribe((text) => sent.push(text));
    fixture.componentInstance.typing.subscribe(() => typingEvents++);
    const type = async (value: string) => {
      field.value = value;
      field.dispatchEvent(new Event('input'));
      await fixture.whenStable();
    };
    const press = async (key: string, init: KeyboardEventInit = {}) => {
      const event = new KeyboardEvent('keydown', {
        key,
        cancelable: true,
        ...init,
      });
      field.dispatchEvent(event);
      await fixture.whenStable();
      return event;
    };
    return {
      fixture,
      field,
      sendButton,
      sent,
      type,
      press,
      typingEvents: () => typingEvents,
    };
  }

  it('labels the field after the recipient', async () => {
    const { fixture } = await setUp();
    const label = (fixture.nativeElement as HTMLElement).querySelector(
      'label[for="composer-field"]',
    );
    expect(label?.textContent?.trim()).toBe('Message Grace Hopper');
  });

  it('sends the trimmed text on Enter and clears the field', async () => {
    const { field, sent, type, press } = await setUp();
    await type('  Hello there  ');
    const event = await press('Enter');

    expect(sent).toEqual(['Hello there']);
    expect(event.defaultPrevented).toBe(true);
    expect(field.value).toBe('');
  });

  it('keeps Shift+Enter for a new line', async () => {
    const { sent, type, press } = await setUp();
    await type('Line one');
    const event = await press('Enter', { shiftKey: true });

    expect(sent).toEqual([]);
    expect(event.defaultPrevented).toBe(false);
  });

  it('does not send blank text, and disables the button until there is something to send', async () => {
    const { sent, sendButton, type, press } = await setUp();
    expect(sendButton.disabled).toBe(true);
    await type('   ');
    await press('Enter');
    expect(sent).toEqual([]);
    expect(sendButton.disabled).toBe(true);

    await type('Hi');
    expect(sendButton.disabled).toBe(false);
  });

  it('reports typing while there is text', async () => {
    const { type, typingEvents } = await setUp();
    await type('H');
    await type('Hi');
    await type('');
    expect(typingEvents()).toBe(2);
  });

  it('starts from the conversation’s draft, reports every change, and switches with the conversation', async () => {
    const { fixture, field, type } = await setUp();
    const drafts: string[] = [];
    fixture.componentInstance.draftChange.subscribe((text) =>
      drafts.push(text),
    );
    fixture.componentRef.setInput('draft', 'For Bob');
    await fixture.whenStable();
    expect(field.value).toBe('For Bob');

    await type('For Bob, again');
    expect(drafts).toEqual(['For Bob, again']);

    fixture.componentRef.setInput('draft', '');
    await fixture.whenStable();
    expect(field.value).toBe('');
  });

  it('keeps an over-long paste whole, says by how much it is over, and will not send it', async () => {
    const { fixture, field, sent, sendButton, type, press } = await setUp();
    await type('x'.repeat(5_000));

    expect(field.value).toHaveLength(5_000);
    expect(field.hasAttribute('maxlength')).toBe(false);
    const problem = (fixture.nativeElement as HTMLElement).querySelector(
      '[data-testid="composer-too-long"]',
    );
    expect(problem?.getAttribute('role')).toBe('alert');
    expect(problem?.textContent).toContain('1,000 over the 4,000 limit');
    expect(sendButton.disabled).toBe(true);
    await press('Enter');
    expect(sent).toEqual([]);

    await type('x'.repeat(4_000));
    expect(sendButton.disabled).toBe(false);
  });

  it('holds an Instagram reply to Instagram’s 1,000 characters, counting an emoji once', async () => {
    const { fixture, sent, sendButton, type, press } = await setUp();
    fixture.componentRef.setInput('limit', INSTAGRAM_TEXT_LIMIT);
    const problem = () =>
      (fixture.nativeElement as HTMLElement).querySelector(
        '[data-testid="composer-too-long"]',
      )?.textContent ?? '';

    await type('x'.repeat(1_015));
    expect(problem()).toContain(
      '1,015 characters: 15 over Instagram’s 1,000 limit',
    );
    expect(sendButton.disabled).toBe(true);
    await press('Enter');
    expect(sent).toEqual([]);

    // 1,000 emoji are 2,000 UTF-16 units but 1,000 characters to Meta.
    await type('👍'.repeat(1_000));
    expect(problem()).toBe('');
    expect(sendButton.disabled).toBe(false);
    await press('Enter');
    expect(sent).toEqual(['👍'.repeat(1_000)]);
  });

  it('says pictures cannot be sent yet when one is pasted, instead of ignoring it', async () => {
    const { fixture, field } = await setUp();
    const paste = new Event('paste', { cancelable: true }) as ClipboardEvent;
    Object.defineProperty(paste, 'clipboardData', {
      value: {
        items: [{ kind: 'file', type: 'image/png' }],
        getData: () => '',
      },
    });
    field.dispatchEvent(paste);
    await fixture.whenStable();

    expect(paste.defaultPrevented).toBe(true);
    expect(
      (fixture.nativeElement as HTMLElement).querySelector(
        '[data-testid="attachment-not-supported"]',
      )?.textContent,
    ).toContain('can’t be sent yet');
  });
});
