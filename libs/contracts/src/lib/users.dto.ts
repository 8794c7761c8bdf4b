import { IsOptional, IsString, MaxLength } from 'class-validator';

export class SearchUsersQueryDto {
  /** Matches the start of a display name or email, case-insensitively. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}
