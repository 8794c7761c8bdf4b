import {
  INSTAGRAM_CONNECT_ERROR_REASONS,
  InstagramAuthQueryDto,
  InstagramAuthUrlDto,
} from '@instantchat/contracts';
import {
  Controller,
  Get,
  HttpStatus,
  Query,
  Redirect,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AppConfigService } from '../config/app-config.service';
import { ApiErrorResponse } from '../core/api-error-response';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { CurrentUser } from '../core/current-user.decorator';
import { Public } from '../core/public.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { connectPageUrl } from './connect-page-url';
import { InstagramConnectService } from './instagram-connect.service';
import {
  browserKeyCookie,
  browserKeyFrom,
  newBrowserKey,
} from './oauth-browser-binding';

@ApiTags('instagram')
@Controller('instagram/auth/instagram')
export class InstagramConnectController {
  constructor(
    private readonly connect: InstagramConnectService,
    private readonly config: AppConfigService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Start connecting an Instagram professional account',
    description:
      'Answers the URL of Meta’s consent dialog for the chosen login method (by default the ' +
      'server’s first enabled one, `instagram` unless disabled), with a fresh `state` ' +
      '(single use, valid for 10 minutes, bound to the caller and, through an HttpOnly cookie set ' +
      'on this response, to the calling browser). Send that same browser there; Meta brings it ' +
      'back through the callback to the dashboard’s `/instagram` page. The callback completes ' +
      'only in the browser that made this call, so a consent URL sent to someone else is useless.',
  })
  @ApiOkResponse({ type: InstagramAuthUrlDto })
  @ApiBadRequestResponse({
    type: ApiErrorResponse,
    description:
      'An unknown method, or one this server does not enable (META_LOGIN_METHODS)',
  })
  async authorizationUrl(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: InstagramAuthQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<InstagramAuthUrlDto> {
    // One key per browser, kept while it has flows in progress: several tabs can connect at once.
    const browserKey =
      browserKeyFrom(request.headers.cookie) ?? newBrowserKey();
    const url = await this.connect.startAuthorization(
      caller.id,
      query.method,
      browserKey,
    );
    void response.header(
      'Set-Cookie',
      browserKeyCookie(browserKey, this.config.http.publicUrl),
    );
    return { url };
  }

  @Get('callback')
  @Public()
  @Redirect()
  @ApiOperation({
    summary:
      'Meta’s OAuth redirect target (opened by the browser, not called by clients)',
    description:
      'Burns the `state`, completes the login method it names, stores the connection and redirects ' +
      'to `CLIENT_URL/instagram?status=connected&account=<username>`, or to ' +
      '`CLIENT_URL/instagram?status=error&reason=<reason>` with one of: ' +
      INSTAGRAM_CONNECT_ERROR_REASONS.map((r) => `\`${r}\``).join(', ') +
      '. Missing or malformed parameters are reasons too (`state_invalid`, `code_invalid`), so a ' +
      'person always lands on the dashboard.',
  })
  @ApiQuery({ name: 'code', required: false, type: String })
  @ApiQuery({ name: 'state', required: false, type: String })
  @ApiQuery({
    name: 'error',
    required: false,
    type: String,
    description: 'Meta’s `access_denied` when the person cancelled',
  })
  @ApiFoundResponse({
    description:
      'To the dashboard’s connect page, with the outcome in the query',
    headers: {
      Location: {
        description: 'The dashboard’s connect page',
        schema: { type: 'string' },
      },
    },
  })
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ): Promise<{ url: string; statusCode: number }> {
    const outcome = await this.connect.handleOAuthCallback({
      code: singleString(query['code']),
      state: singleString(query['state']),
      error: singleString(query['error']),
      browserKey: browserKeyFrom(request.headers.cookie),
    });
    return {
      url: connectPageUrl(this.config.http.clientUrl, outcome),
      statusCode: HttpStatus.FOUND,
    };
  }
}

/** A repeated or empty parameter is as good as none. */
function singleString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
