import {
  AuthResponseDto,
  LoginDto,
  RegisterDto,
  UserDto,
} from '@instantchat/contracts';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  ApiErrorResponse,
  ApiValidationErrorResponse,
} from '../core/api-error-response';
import { AuthService } from './auth.service';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { CurrentUser } from '../core/current-user.decorator';
import { Public } from '../core/public.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('register')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiValidationErrorResponse()
  @ApiConflictResponse({
    type: ApiErrorResponse,
    description: 'Email is already registered',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponse,
    description: 'Too many attempts from this client',
  })
  register(@Body() dto: RegisterDto): Promise<AuthResponseDto> {
    return this.auth.register(dto);
  }

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiValidationErrorResponse()
  @ApiUnauthorizedResponse({
    type: ApiErrorResponse,
    description: 'Invalid email or password',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponse,
    description: 'Too many attempts from this client',
  })
  login(@Body() dto: LoginDto): Promise<AuthResponseDto> {
    return this.auth.login(dto);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() caller: AuthenticatedUser): Promise<UserDto> {
    return this.auth.me(caller);
  }
}
