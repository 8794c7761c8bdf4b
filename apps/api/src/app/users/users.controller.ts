import { SearchUsersQueryDto, UserDto } from '@instantchat/contracts';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../core/authenticated-user';
import { CurrentUser } from '../core/current-user.decorator';
import { ApiValidationErrorResponse } from '../core/api-error-response';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    summary:
      'People to start a conversation with (everyone but the caller), by display name',
  })
  @ApiOkResponse({ type: UserDto, isArray: true })
  @ApiValidationErrorResponse()
  async search(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: SearchUsersQueryDto,
  ): Promise<UserDto[]> {
    const users = await this.users.search(caller.id, query.search);
    return users.map((user) => this.users.toDto(user));
  }
}
