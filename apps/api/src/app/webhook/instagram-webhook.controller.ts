import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  Logger,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SIGNATURE_HEADER } from '@instantchat/meta-platform';
import { AppConfigService } from '../config/app-config.service';
import { ApiErrorResponse } from '../core/api-error-response';
import { Public } from '../core/public.decorator';
import {
  WebhookInbox,
  WebhookStoreUnavailableError,
} from './webhook-inbox.service';
import { WebhookProcessor } from './webhook-processor.service';
import { WebhookRateLimitGuard } from './webhook-rate-limit.guard';
import { isSignedByMeta } from './webhook-signature';

export { WEBHOOK_RATE_LIMIT_PER_MINUTE } from './webhook-rate-limit.guard';

/** Where Meta's Instagram webhooks arrive (outside the `/api` prefix, as registered with Meta). */
export const INSTAGRAM_WEBHOOK_PATH = '/webhook/instagram';

/**
 * The webhook route's own body limit, above the API's BODY_LIMIT: Meta batches up to 1,000 events
 * in one delivery.
 */
export const WEBHOOK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** What Meta is answered for a delivery it may forget. */
const EVENT_RECEIVED = 'EVENT_RECEIVED';

/** Both 200s are plain text, as Meta expects; errors keep the API's JSON body. */
const PLAIN_TEXT = { 'text/plain': { schema: { type: 'string' } } };

@ApiTags('webhook')
@Controller('webhook/instagram')
export class InstagramWebhookController {
  private readonly logger = new Logger(InstagramWebhookController.name);
  /**
   * Meta signs with the secret of the app the account connected through: the Facebook app
   * (`META_APP_SECRET`) and, for Instagram Login, the Instagram app (`META_IG_APP_SECRET`, when
   * the configuration has one).
   */
  private readonly webhookSecrets: readonly string[];

  constructor(
    private readonly config: AppConfigService,
    private readonly inbox: WebhookInbox,
    private readonly processor: WebhookProcessor,
  ) {
    const { appSecret, instagramLogin } = config.meta;
    this.webhookSecrets = [appSecret, instagramLogin?.appSecret].filter(
      (secret): secret is string => typeof secret === 'string' && secret !== '',
    );
  }

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Meta’s subscription check',
    description:
      'Answers `hub.challenge` when `hub.mode` is `subscribe` and `hub.verify_token` is ' +
      '`META_WEBHOOK_VERIFY_TOKEN`.',
  })
  @ApiOkResponse({
    description: 'The challenge, as text',
    content: PLAIN_TEXT,
  })
  @ApiForbiddenResponse({
    type: ApiErrorResponse,
    description: 'Another mode, a wrong or missing token, or no challenge',
  })
  verify(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: FastifyReply,
  ): string {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      mode !== 'subscribe' ||
      typeof token !== 'string' ||
      !sameText(token, this.config.meta.webhookVerifyToken) ||
      typeof challenge !== 'string' ||
      challenge.length === 0
    ) {
      throw new ForbiddenException('Webhook verification failed');
    }
    // Set here, not with @Header: errors keep the API's JSON error body.
    void response.type('text/plain');
    return challenge;
  }

  @Public()
  @Post()
  @HttpCode(HttpStatus.OK)
  @UseGuards(WebhookRateLimitGuard)
  @ApiOperation({
    summary: 'Meta’s webhook deliveries',
    description:
      'Checks `X-Hub-Signature-256` on the raw body against each configured app secret, stores ' +
      'the delivery in the durable inbox (an exact redelivery once) and answers at once; the ' +
      'events are processed afterwards. Bodies up to 8 MB.',
  })
  @ApiBody({
    description:
      'Meta’s delivery (`object`, `entry[]`), signed over these exact bytes',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiOkResponse({
    description:
      '`EVENT_RECEIVED`: stored (or already stored, or stored as ignored)',
    content: {
      'text/plain': { schema: { type: 'string', enum: [EVENT_RECEIVED] } },
    },
  })
  @ApiBadRequestResponse({
    type: ApiErrorResponse,
    description: 'Signed, but not JSON (stored as failed)',
  })
  @ApiUnauthorizedResponse({
    type: ApiErrorResponse,
    description: 'Signature missing or wrong; nothing stored',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponse,
    description: 'Too many deliveries from this address',
  })
  @ApiServiceUnavailableResponse({
    type: ApiErrorResponse,
    description: 'The inbox could not store the delivery; Meta retries',
  })
  async receive(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<string> {
    const rawBody = Buffer.isBuffer(request.body)
      ? request.body
      : Buffer.alloc(0);
    const signature = singleHeader(
      request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()],
    );
    if (!isSignedByMeta(rawBody, signature, this.webhookSecrets)) {
      throw new UnauthorizedException(
        signature ? 'Invalid webhook signature' : 'Missing webhook signature',
      );
    }
    let stored;
    try {
      stored = await this.inbox.store(
        rawBody,
        new Date(),
        singleHeader(request.headers['facebook-api-version']),
        request.id,
      );
    } catch (error) {
      if (!(error instanceof WebhookStoreUnavailableError)) throw error;
      this.logger.error(error.message);
      throw new ServiceUnavailableException(
        'The delivery could not be stored; send it again later',
      );
    }
    if (stored.outcome === 'malformed') {
      throw new BadRequestException('Request body is not valid JSON');
    }
    if (stored.outcome === 'accepted') {
      this.processor.takeUpStored(stored.eventId);
    }
    void response.type('text/plain');
    return EVENT_RECEIVED;
  }
}

/** Constant-time equality of two strings (lengths aside). */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && b.length > 0 && timingSafeEqual(a, b);
}

/** A header sent once; a repeated one (an array) counts as absent. */
function singleHeader(
  value: string | string[] | undefined,
): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
