import { afterEach } from '@jest/globals';
import { takeContractViolations } from './response-recorder';

/*
 * Jest setup for every API spec (jest.config.cts): a response that does not match the OpenAPI
 * document fails the test during which it was sent, with the path, status and schema error.
 */
afterEach(() => {
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} response(s) did not match the OpenAPI document (/api/docs-json):\n\n` +
        violations.join('\n\n'),
    );
  }
});
