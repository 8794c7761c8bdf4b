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
  const violations = await runAxe(page, {
    type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
  });
  return describe(
    violations.filter(
      (violation) =>
        violation.impact === 'serious' || violation.impact === 'critical',
    ),
  );
}

/**
 * The page's structure for assistive technology, whatever the impact axe gives it: one main
 * landmark and a level-one heading, on every screen a width shows.
 */
export async function structureViolations(page: Page): Promise<string[]> {
  return describe(
    await runAxe(page, {
      type: 'rule',
      values: ['landmark-one-main', 'page-has-heading-one'],
    }),
  );
}

async function runAxe(
  page: Page,
  runOnly: { type: 'tag' | 'rule'; values: string[] },
): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => !!window.axe))) {
    // Evaluated through the DevTools protocol: the dashboard's CSP (rightly) refuses a script tag.
    await page.evaluate(axeSource());
  }
  return page.evaluate(async (only) => {
    const result = await window.axe?.run(document, { runOnly: only });
    return result?.violations ?? [];
  }, runOnly);
}

function describe(violations: AxeViolation[]): string[] {
  return violations.map(
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
