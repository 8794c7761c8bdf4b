import { TestBed } from '@angular/core/testing';
import { LinkedText } from './linked-text';
import { textWithLinks } from './text-with-links';

describe('textWithLinks', () => {
  it('finds web addresses and leaves the sentence’s punctuation outside them', () => {
    expect(
      textWithLinks('Docs: https://angular.dev/guide, or www.example.org.'),
    ).toEqual([
      { kind: 'text', text: 'Docs: ' },
      {
        kind: 'link',
        text: 'https://angular.dev/guide',
        href: 'https://angular.dev/guide',
      },
      { kind: 'text', text: ', or ' },
      {
        kind: 'link',
        text: 'www.example.org',
        href: 'https://www.example.org',
      },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links other schemes', () => {
    const text = 'javascript:alert(1) data:text/html,<b>x</b> mailto:a@b.c';
    expect(textWithLinks(text)).toEqual([{ kind: 'text', text }]);
  });

  it('returns plain text untouched', () => {
    expect(textWithLinks('No links here')).toEqual([
      { kind: 'text', text: 'No links here' },
    ]);
    expect(textWithLinks('')).toEqual([]);
  });
});

describe('LinkedText', () => {
  async function render(text: string) {
    const fixture = TestBed.createComponent(LinkedText);
    fixture.componentRef.setInput('text', text);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('renders addresses as links that open safely in a new tab', async () => {
    const element = await render('See https://example.com/a?b=1 now');
    const link = element.querySelector('a');
    expect(link?.getAttribute('href')).toBe('https://example.com/a?b=1');
    expect(link?.getAttribute('target')).toBe('_blank');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(element.textContent).toBe('See https://example.com/a?b=1 now');
  });

  it('shows markup as the words it is, never as HTML', async () => {
    const element = await render(
      '<img src=x onerror="alert(1)"> https://example.com/"><script>x</script>',
    );
    expect(element.querySelector('img, script')).toBeNull();
    expect(element.textContent).toContain('<img src=x onerror="alert(1)">');
    expect(element.querySelector('a')?.getAttribute('href')).toBe(
      'https://example.com/',
    );
  });
});
