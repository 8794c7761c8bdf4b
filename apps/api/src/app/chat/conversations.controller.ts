import {
  CONVERSATION_LIST_DEFAULT_LIMIT,
  ConversationDto,
  ConversationListQueryDto,
  CreateConversationDto,
  MessageDto,
  MessageHistoryQueryDto,
  type Page,
  ReadReceiptDto,
  SendMessageDto,
} from '@instantchat/contracts';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { CurrentUser } from '../core/current-user.decorator';
import {
  ApiErrorResponse,
  ApiValidationErrorResponse,
} from '../core/api-error-response';
import { ConversationPresenter } from './conversation-presenter.service';
import { ConversationsService } from './conversations.service';
import { MessagePageResponse } from './dto/message-page.response';
import { MessageSendRateLimitGuard } from './message-send-rate-limit.guard';
import { MessagesService } from './messages.service';
import { ConversationSearchService } from './search/conversation-search.service';

const CONVERSATION_NOT_FOUND = {
  type: ApiErrorResponse,
  description:
    'No such conversation among the caller’s (also for a malformed id)',
};
const CONVERSATION_ID = { name: 'id', description: 'Conversation id' };

@ApiTags('conversations')
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly presenter: ConversationPresenter,
    private readonly conversationSearch: ConversationSearchService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The caller’s conversations, newest activity first',
    description:
      'Each with its last-message preview and the caller’s unread count. After a socket reconnect, ' +
      'pass the largest `updatedAt` you hold as `updatedSince` to get only what changed meanwhile. ' +
      'With `search`, only conversations with someone whose name (an Instagram contact’s username ' +
      'or name) contains every word of it, any letter case, diacritics ignored.',
  })
  @ApiOkResponse({ type: ConversationDto, isArray: true })
  @ApiValidationErrorResponse()
  async list(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: ConversationListQueryDto,
  ): Promise<ConversationDto[]> {
    const limit = query.limit ?? CONVERSATION_LIST_DEFAULT_LIMIT;
    if (query.search?.trim()) {
      return this.presenter.toDtos(
        await this.conversationSearch.find(caller.id, query.search, limit),
        caller.id,
      );
    }
    const conversations = await this.conversations.listForUser(caller.id, {
      updatedSince: query.updatedSince
        ? new Date(query.updatedSince)
        : undefined,
      limit,
    });
    return this.presenter.toDtos(conversations, caller.id);
  }

  @Post()
  @ApiOperation({
    summary: 'Open the 1:1 conversation with another user',
    description:
      '201 with a new conversation, or 200 with the one the two people already have (whoever opened it).',
  })
  @ApiCreatedResponse({
    type: ConversationDto,
    description: 'Opened a new conversation',
  })
  @ApiOkResponse({
    type: ConversationDto,
    description: 'The existing conversation',
  })
  @ApiValidationErrorResponse()
  @ApiNotFoundResponse({ type: ApiErrorResponse, description: 'No such user' })
  async open(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: CreateConversationDto,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<ConversationDto> {
    const { conversation, created } = await this.conversations.openLocal(
      caller.id,
      body.participantId,
    );
    void response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return this.presenter.toDto(conversation, caller.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of the caller’s conversations' })
  @ApiParam(CONVERSATION_ID)
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse(CONVERSATION_NOT_FOUND)
  async get(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<ConversationDto> {
    const conversation = await this.conversations.getForUser(caller.id, id);
    return this.presenter.toDto(conversation, caller.id);
  }

  @Get(':id/messages')
  @ApiOperation({
    summary: 'Message history, newest first, one page at a time',
    description:
      'Pass a page’s `nextCursor` as `before` for the next (older) page. To catch up after a ' +
      'reconnect, pass the id of the newest message you hold as `after`: only newer messages are ' +
      'returned (still newest first; keep `after` and follow `nextCursor` while it is not null).',
  })
  @ApiParam(CONVERSATION_ID)
  @ApiOkResponse({ type: MessagePageResponse })
  @ApiValidationErrorResponse()
  @ApiNotFoundResponse(CONVERSATION_NOT_FOUND)
  history(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: MessageHistoryQueryDto,
  ): Promise<Page<MessageDto>> {
    return this.messages.listPage(caller.id, id, query);
  }

  @Post(':id/messages')
  @UseGuards(MessageSendRateLimitGuard)
  @ApiOperation({
    summary: 'Send a message',
    description:
      'Every participant’s open tabs receive `message:new` and `conversation:updated`. Send a ' +
      '`clientMessageId` (a UUID, the same on every retry of one message) to make retries safe: ' +
      'a send whose `clientMessageId` the caller already used in this conversation answers 200 ' +
      'with the stored message and stores, counts and announces nothing again. In an Instagram ' +
      'conversation the text is limited to 1,000 characters (400 beyond) and the message is ' +
      'stored `pending`, then sent to Meta: it answers `sent`, `failed` with `deliveryError`, or ' +
      'stays `pending` while Meta throttles the account (`message:updated` tells the outcome).',
  })
  @ApiParam(CONVERSATION_ID)
  @ApiCreatedResponse({ type: MessageDto, description: 'Stored the message' })
  @ApiOkResponse({
    type: MessageDto,
    description:
      'A retry: the message stored earlier with this clientMessageId, unchanged',
  })
  @ApiValidationErrorResponse()
  @ApiNotFoundResponse(CONVERSATION_NOT_FOUND)
  @ApiConflictResponse({
    type: ApiErrorResponse,
    description:
      'The caller already used this clientMessageId in another conversation, or (Instagram) the account needs reconnecting (`code: reconnect_required`)',
  })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorResponse,
    description:
      'Instagram: Meta’s messaging window has closed (`code: window_closed`, `details.windowClosedAt`)',
  })
  @ApiServiceUnavailableResponse({
    type: ApiErrorResponse,
    description: 'No module on this server carries replies of this kind',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponse,
    description:
      'More than MESSAGE_RATE_LIMIT messages from the caller this minute',
  })
  async send(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
    @Body() body: SendMessageDto,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<MessageDto> {
    const { message, created } = await this.messages.send(
      caller.id,
      id,
      body.text,
      body.clientMessageId,
    );
    void response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return message;
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Mark the conversation read by the caller, up to now',
    description:
      'The caller’s unread count drops to 0; the other participants receive `message:read`.',
  })
  @ApiParam(CONVERSATION_ID)
  @ApiOkResponse({ type: ReadReceiptDto })
  @ApiNotFoundResponse(CONVERSATION_NOT_FOUND)
  markRead(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<ReadReceiptDto> {
    return this.messages.markRead(caller.id, id);
  }
}
