import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphErrorBody } from '@instantchat/meta-platform';
import {
  DEFAULT_RATE_LIMIT_RETRY_MS,
  mapGraphError,
  MetaPermissionError,
  MetaRateLimitedError,
  MetaRecipientUnavailableError,
  MetaRequestError,
  MetaTokenInvalidError,
  MetaTransientError,
  MetaWindowClosedError,
} from './meta-api.errors';

/**
 * Meta's documented error bodies (libs/meta-platform/fixtures/graph-errors) map to the error a
 * caller acts on. The client's tests prove the same over HTTP against the sandbox; this table also
 * covers bodies the sandbox never produces (the Messenger window subcode, unknown errors).
 */
const FIXTURES = join(
  __dirname,
  '../../../../../libs/meta-platform/fixtures/graph-errors',
);
const fixture = (name: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as GraphErrorBody)
    .error;

describe('mapGraphError', () => {
  it.each([
    [
      '190-463-token-expired.json',
      MetaTokenInvalidError,
      { reason: 'expired' },
    ],
    [
      '190-460-password-changed.json',
      MetaTokenInvalidError,
      { reason: 'invalidated' },
    ],
    ['10-2018278-outside-window.json', MetaWindowClosedError, {}],
    ['10-2534022-outside-window.json', MetaWindowClosedError, {}],
    ['100-2018001-no-matching-user.json', MetaRecipientUnavailableError, {}],
    ['551-user-unavailable.json', MetaRecipientUnavailableError, {}],
    ['100-invalid-parameter.json', MetaRequestError, {}],
    [
      '200-permission.json',
      MetaPermissionError,
      { permission: 'instagram_manage_messages' },
    ],
    [
      '4-app-rate-limit.json',
      MetaRateLimitedError,
      { retryAfterMs: DEFAULT_RATE_LIMIT_RETRY_MS },
    ],
    [
      '613-rate-limit.json',
      MetaRateLimitedError,
      { retryAfterMs: DEFAULT_RATE_LIMIT_RETRY_MS },
    ],
    ['2-transient.json', MetaTransientError, { failure: 'server_error' }],
  ])('maps %s to %p', (name, type, extra) => {
    const body = fixture(name);
    const error = mapGraphError(body, 400);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({
      code: body.code,
      subcode: body.error_subcode,
      fbtraceId: body.fbtrace_id,
      message: body.message,
      ...extra,
    });
  });

  it('covers every fixture in the folder', () => {
    expect(
      readdirSync(FIXTURES).filter((f) => f.endsWith('.json')),
    ).toHaveLength(11);
  });

  it("uses Meta's estimate for when a rate limit lifts", () => {
    const error = mapGraphError(fixture('613-rate-limit.json'), 400, 90_000);
    expect(error).toMatchObject({ retryAfterMs: 90_000, retryable: true });
  });

  it('lets a rate limit win over is_transient, so it is not retried in a tight loop', () => {
    expect(
      mapGraphError(
        { ...fixture('4-app-rate-limit.json'), is_transient: true },
        400,
      ),
    ).toBeInstanceOf(MetaRateLimitedError);
  });

  it('treats an unknown error on a 5xx as transient and on a 4xx as a request error', () => {
    const unknown = {
      message: 'Something new',
      type: 'OAuthException',
      code: 9999,
      fbtrace_id: 'x',
    };
    expect(mapGraphError(unknown, 503)).toBeInstanceOf(MetaTransientError);
    expect(mapGraphError(unknown, 400)).toBeInstanceOf(MetaRequestError);
  });

  it('treats code 10 without a window subcode as a missing permission', () => {
    expect(
      mapGraphError(
        {
          message: '(#10) Application does not have permission for this action',
          type: 'OAuthException',
          code: 10,
          fbtrace_id: 'x',
        },
        403,
      ),
    ).toBeInstanceOf(MetaPermissionError);
  });

  it.each([2534022, 2018065, 2018278])(
    'maps code 10 with subcode %i to MetaWindowClosedError',
    (subcode) => {
      expect(
        mapGraphError(
          {
            message: '(#10) This message is sent outside of allowed window.',
            type: 'OAuthException',
            code: 10,
            error_subcode: subcode,
          },
          400,
        ),
      ).toBeInstanceOf(MetaWindowClosedError);
    },
  );

  it("maps graph.instagram.com's IGApiException like its Graph API twin, by code and subcode", () => {
    const expired = mapGraphError(
      {
        ...fixture('190-463-token-expired.json'),
        type: 'IGApiException',
      },
      400,
    );
    expect(expired).toBeInstanceOf(MetaTokenInvalidError);
    expect(expired).toMatchObject({
      reason: 'expired',
      type: 'IGApiException',
      code: 190,
      subcode: 463,
    });
    expect(
      mapGraphError(
        {
          message:
            'Error validating access token: The user has not authorized application.',
          type: 'IGApiException',
          code: 190,
          error_subcode: 458,
        },
        400,
      ),
    ).toMatchObject({ kind: 'token_invalid', reason: 'invalidated' });
    expect(
      mapGraphError(
        {
          ...fixture('10-2534022-outside-window.json'),
          type: 'IGApiException',
        },
        400,
      ),
    ).toBeInstanceOf(MetaWindowClosedError);
  });

  it("keeps Meta's words for the person (error_user_title, error_user_msg)", () => {
    const error = mapGraphError(
      {
        message: '(#100) Invalid parameter',
        type: 'OAuthException',
        code: 100,
        error_subcode: 2018109,
        error_user_title: 'Attachment too large',
        error_user_msg: 'The attachment is larger than 25 MB.',
        fbtrace_id: 'x',
      },
      400,
    );
    expect(error).toBeInstanceOf(MetaRequestError);
    expect(error).toMatchObject({
      userTitle: 'Attachment too large',
      userMessage: 'The attachment is larger than 25 MB.',
    });
    expect(mapGraphError(fixture('613-rate-limit.json'), 400)).toMatchObject({
      userTitle: undefined,
      userMessage: undefined,
    });
  });
});
