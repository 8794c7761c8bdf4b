import { MetaApiError } from '../meta/meta-api.errors';
import { ConnectFlowError } from './login-methods/login-method';
import { TokenUnsealError } from './token-cipher';

/**
 * A failure in words fit for a log line. Meta's typed errors and our own carry no token (see
 * meta-api.errors.ts); any other error may quote its input, so only its class name is kept.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof MetaApiError)
    return `${error.name} (${error.kind}${error.code !== undefined ? `, code ${error.code}` : ''}): ${error.message}`;
  if (error instanceof ConnectFlowError || error instanceof TokenUnsealError)
    return error.message;
  return error instanceof Error ? error.name : 'unknown error';
}
