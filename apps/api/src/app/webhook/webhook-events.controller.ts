import {
  WebhookEventDto,
  WebhookEventPageDto,
  WebhookEventQueryDto,
} from '@instantchat/contracts';
import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiErrorResponse,
  ApiValidationErrorResponse,
} from '../core/api-error-response';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { CurrentUser } from '../core/current-user.decorator';
import { InstagramConnectionsService } from '../instagram/instagram-connections.service';
import { WebhookOwnerEvents } from './webhook-owner-events.service';
import { ownerViewOf } from './webhook-owner-view';
import { WebhookProcessor } from './webhook-processor.service';

/** The inbox as a support engineer needs it: "my DM never arrived" → what came, and what became of it. */
@ApiTags('instagram')
@Controller('instagram/events')
export class WebhookEventsController {
  constructor(
    private readonly ownerEvents: WebhookOwnerEvents,
    private readonly processor: WebhookProcessor,
    private readonly connections: InstagramConnectionsService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Webhook deliveries of the caller’s Instagram accounts, newest first',
    description:
      'Each delivery shows only the caller’s items, with status, attempts, the reason an item ' +
      'was ignored and the error of one that failed. `status` and `accountId` filter the items; ' +
      'pass `nextCursor` as `before` for older deliveries.',
  })
  @ApiOkResponse({ type: WebhookEventPageDto })
  @ApiValidationErrorResponse()
  async list(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: WebhookEventQueryDto,
  ): Promise<WebhookEventPageDto> {
    return this.ownerEvents.listForOwner(
      caller.id,
      await this.ownAccountIds(caller.id),
      query,
    );
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Process the caller’s failed and ignored items of a delivery again',
    description:
      'They become `pending` with their attempts reset and are processed at once (an account ' +
      'connected since then now receives them). Processed items are left alone.',
  })
  @ApiOkResponse({ type: WebhookEventDto })
  @ApiNotFoundResponse({
    type: ApiErrorResponse,
    description: 'No such delivery with an item of the caller’s accounts',
  })
  async retry(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<WebhookEventDto> {
    const accountIds = await this.ownAccountIds(caller.id);
    const event = await this.ownerEvents.retryForOwner(
      caller.id,
      accountIds,
      id,
      new Date(),
    );
    this.processor.processSoon(event._id.toHexString());
    return ownerViewOf(event, caller.id, accountIds);
  }

  /** The accounts the caller holds (connected or needing reconnection); disconnected ones are theirs no more. */
  private async ownAccountIds(userId: string): Promise<string[]> {
    const { accounts } = await this.connections.statusOf(userId);
    return accounts
      .filter((account) => account.state !== 'disconnected')
      .map((account) => account.id);
  }
}
