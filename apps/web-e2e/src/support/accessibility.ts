import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

declare global {
  interface Window {
    axe?: {
      run(
        context: Document,
        options: object,
      ): Promise<{ violations: AxeViolation[] }>;
    };
  }
}

/**
 * Runs axe-core in the page (WCAG 2.x A and AA rules) and returns the serious and critical
 * violations as readable lines, so a failing assertion says what and where.
 */
export async function seriousAccessibilityViolations(
  page: Page,
): Promise<string[]> {
  if (!(await page.evaluate(() => !!window.axe))) {
    // Evaluated through the DevTools protocol: the dashboard's CSP (rightly) refuses a script tag.
    await page.evaluate(axeSource());
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe?.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
      },
    });
    return result?.violations ?? [];
  });
  return violations
    .filter(
      (violation) =>
        violation.impact === 'serious' || violation.impact === 'critical',
    )
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

let axeScript: string | undefined;
function axeSource(): string {
  axeScript ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeScript;
}
