import {
  type FirstMessageResult,
  SendFirstMessageDto,
} from '@instantchat/contracts';
import { Body, Controller, HttpStatus, Post, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedUser } from '../../core/authenticated-user';
import { CurrentUser } from '../../core/current-user.decorator';
import {
  ApiErrorResponse,
  ApiValidationErrorResponse,
} from '../../core/api-error-response';
import { FirstMessageResponse } from '../dto/first-message.response';
import { FirstMessageService } from './first-message.service';

@ApiTags('conversations')
@Controller('conversations')
export class FirstMessageController {
  constructor(private readonly firstMessages: FirstMessageService) {}

  @Post('messages')
  @ApiOperation({
    summary:
      'Send the first message to a person, opening the conversation with it',
    description:
      'What the dashboard uses after picking a person: the conversation is created only now, ' +
      'with its first message, so nothing appears in the other person’s inbox until something is ' +
      'said. If the two already have a conversation, the message goes there. The same ' +
      '`clientMessageId` rule as `POST /api/conversations/:id/messages`: a retry answers 200 with ' +
      'what was stored. `POST /api/conversations` still opens an empty conversation (idempotent).',
  })
  @ApiCreatedResponse({
    type: FirstMessageResponse,
    description: 'Stored the message (and opened the conversation if needed)',
  })
  @ApiOkResponse({
    type: FirstMessageResponse,
    description:
      'A retry: the message stored earlier with this clientMessageId',
  })
  @ApiValidationErrorResponse()
  @ApiNotFoundResponse({ type: ApiErrorResponse, description: 'No such user' })
  @ApiConflictResponse({
    type: ApiErrorResponse,
    description:
      'The caller already used this clientMessageId in another conversation',
  })
  async send(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: SendFirstMessageDto,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<FirstMessageResult> {
    const { created, ...result } = await this.firstMessages.send(
      caller.id,
      body,
    );
    void response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }
}
