import { InstagramSendMessageDto, MessageDto } from '@instantchat/contracts';
import {
  Body,
  Controller,
  HttpStatus,
  NotFoundException,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ChannelInbox } from '../../chat/channels/channel-inbox.service';
import { MessagesService } from '../../chat/messages.service';
import { ApiErrorResponse } from '../../core/api-error-response';
import type { AuthenticatedUser } from '../../core/authenticated-user';
import { CurrentUser } from '../../core/current-user.decorator';
import { InstagramConnectionsService } from '../instagram-connections.service';

@ApiTags('instagram')
@Controller('instagram')
export class InstagramSendController {
  constructor(
    private readonly connections: InstagramConnectionsService,
    private readonly inbox: ChannelInbox,
    private readonly messages: MessagesService,
  ) {}

  @Post('sendMessage')
  @ApiOperation({
    summary: 'Reply to an Instagram contact',
    description:
      'The same as `POST /api/conversations/:id/messages` in the contact’s conversation, found by ' +
      'the contact’s Instagram-scoped id on one of the caller’s accounts. The message is stored ' +
      '`pending` and handed to Meta; it answers `sent` with Meta’s id, `failed` with Meta’s reason ' +
      '(`deliveryError`), or stays `pending` while Meta throttles the account (`message:updated` ' +
      'reports the outcome). A `clientMessageId` the caller already used answers 200 with the ' +
      'stored message and sends nothing.',
  })
  @ApiCreatedResponse({
    type: MessageDto,
    description: 'Stored and handed to Meta',
  })
  @ApiOkResponse({
    type: MessageDto,
    description:
      'A retry: the message stored earlier with this clientMessageId',
  })
  @ApiBadRequestResponse({
    type: ApiErrorResponse,
    description:
      'Invalid body (text over 1,000 characters among them), or no accountId while the caller holds several accounts',
  })
  @ApiNotFoundResponse({
    type: ApiErrorResponse,
    description:
      'The account is not the caller’s, they hold none, or the contact has no conversation with it',
  })
  @ApiConflictResponse({
    type: ApiErrorResponse,
    description:
      'The account needs reconnecting (`code: reconnect_required`), or the clientMessageId was used in another conversation',
  })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorResponse,
    description:
      'Meta’s messaging window has closed (`code: window_closed`, `details.windowClosedAt`)',
  })
  @ApiServiceUnavailableResponse({
    type: ApiErrorResponse,
    description: 'This server does not carry Instagram replies',
  })
  async sendMessage(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: InstagramSendMessageDto,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MessageDto> {
    const account = await this.connections.findAccountToSendFrom(
      caller.id,
      body.accountId,
    );
    const thread = await this.inbox.findThread(
      account.instagramAccountId,
      body.recipientId,
    );
    if (!thread || !thread.participantIds.includes(caller.id))
      throw new NotFoundException(
        'No conversation with this contact on this account',
      );
    const { message, created } = await this.messages.send(
      caller.id,
      thread.id,
      body.message,
      body.clientMessageId,
    );
    void response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return message;
  }
}
