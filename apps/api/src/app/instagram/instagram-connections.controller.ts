import {
  InstagramDisconnectQueryDto,
  InstagramStatusDto,
} from '@instantchat/contracts';
import { Controller, Delete, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorResponse } from '../core/api-error-response';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { CurrentUser } from '../core/current-user.decorator';
import { InstagramConnectionsService } from './instagram-connections.service';

@ApiTags('instagram')
@Controller('instagram')
export class InstagramConnectionsController {
  constructor(private readonly connections: InstagramConnectionsService) {}

  @Get('status')
  @ApiOperation({
    summary: 'The caller’s Instagram accounts and the state of each',
    description:
      '`connected` is true when at least one account is connected. Disconnected accounts are ' +
      'listed too (their conversations stay).',
  })
  @ApiOkResponse({ type: InstagramStatusDto })
  status(
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<InstagramStatusDto> {
    return this.connections.statusOf(caller.id);
  }

  @Delete('disconnect')
  @ApiOperation({
    summary: 'Disconnect one of the caller’s Instagram accounts',
    description:
      'Asks Meta to stop its webhooks (best effort: a failure is kept as the account’s ' +
      '`lastError`), deletes the stored token and marks the account disconnected; its ' +
      'conversations and history stay. Answers the new status.',
  })
  @ApiOkResponse({ type: InstagramStatusDto })
  @ApiBadRequestResponse({
    type: ApiErrorResponse,
    description:
      'A malformed `accountId`, or none given while the caller holds several accounts',
  })
  @ApiNotFoundResponse({
    type: ApiErrorResponse,
    description: 'No such account among the caller’s (or none connected)',
  })
  disconnect(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: InstagramDisconnectQueryDto,
  ): Promise<InstagramStatusDto> {
    return this.connections.disconnect(caller.id, query.accountId);
  }
}
