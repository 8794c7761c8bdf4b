import {
  type MessageDto,
  MessageSearchQueryDto,
  type Page,
} from '@instantchat/contracts';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../core/authenticated-user';
import { CurrentUser } from '../../core/current-user.decorator';
import { ApiValidationErrorResponse } from '../../core/api-error-response';
import { MessagePageResponse } from '../dto/message-page.response';
import { MessageSearchService } from './message-search.service';

@ApiTags('messages')
@Controller('messages')
export class MessageSearchController {
  constructor(private readonly search: MessageSearchService) {}

  @Get('search')
  @ApiOperation({
    summary: 'Search the caller’s messages',
    description:
      'Messages in the caller’s conversations that contain a word starting with each word of `q` ' +
      '(any letter case, diacritics ignored: "cafe" finds "Café"; words of one character are ' +
      'ignored), newest first. Pass `nextCursor` as `before` for older hits. Served by a multikey ' +
      'index on each message’s word prefixes. 400 when `q` has no word of two letters or digits.',
  })
  @ApiOkResponse({ type: MessagePageResponse })
  @ApiValidationErrorResponse()
  find(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: MessageSearchQueryDto,
  ): Promise<Page<MessageDto>> {
    return this.search.search(caller.id, query);
  }
}
