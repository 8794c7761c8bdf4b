import { MessageDto } from '@instantchat/contracts';
import {
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiErrorResponse } from '../../core/api-error-response';
import type { AuthenticatedUser } from '../../core/authenticated-user';
import { CurrentUser } from '../../core/current-user.decorator';
import { MessageSendRateLimitGuard } from '../message-send-rate-limit.guard';
import { MessageRetryService } from './message-retry.service';

@ApiTags('conversations')
@Controller('conversations')
export class MessageRetryController {
  constructor(private readonly retries: MessageRetryService) {}

  @Post(':conversationId/messages/:messageId/retry')
  @HttpCode(HttpStatus.OK)
  @UseGuards(MessageSendRateLimitGuard)
  @ApiOperation({
    summary: 'Send a failed reply to Instagram again',
    description:
      'The same message (same id) goes `pending` and is handed to Meta again; the answer is where ' +
      'it stands after this try: `sent`, `failed` with a new `deliveryError`, or `pending` while ' +
      'Meta throttles the account. Every change reaches the owner’s tabs as `message:updated`. ' +
      'When the failure said `mayHaveBeenDelivered`, the contact may already have it and would ' +
      'then receive it twice: ask the person first. The messaging window and the account’s state ' +
      'are checked as for a first send.',
  })
  @ApiParam({ name: 'conversationId', description: 'Conversation id' })
  @ApiParam({ name: 'messageId', description: 'Id of the failed message' })
  @ApiOkResponse({
    type: MessageDto,
    description: 'The message after this try',
  })
  @ApiNotFoundResponse({
    type: ApiErrorResponse,
    description:
      'No such conversation among the caller’s, or no such message in it (also for malformed ids)',
  })
  @ApiConflictResponse({
    type: ApiErrorResponse,
    description:
      '`code: not_retryable`: not the caller’s failed reply in an Instagram conversation (sent, ' +
      'pending, deleted, the contact’s message, a local conversation) or another retry took it; ' +
      '`code: reconnect_required`: the account needs connecting again',
  })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorResponse,
    description:
      'Meta’s messaging window has closed (`code: window_closed`, `details.windowClosedAt`)',
  })
  @ApiServiceUnavailableResponse({
    type: ApiErrorResponse,
    description: 'No module on this server carries replies of this kind',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponse,
    description:
      'More than MESSAGE_RATE_LIMIT messages from the caller this minute (retries count)',
  })
  retry(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('conversationId') conversationId: string,
    @Param('messageId') messageId: string,
  ): Promise<MessageDto> {
    return this.retries.retry(caller.id, conversationId, messageId);
  }
}
