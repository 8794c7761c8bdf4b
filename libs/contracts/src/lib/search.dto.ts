import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const SEARCH_QUERY_MAX_LENGTH = 200;
export const MESSAGE_SEARCH_DEFAULT_LIMIT = 20;
export const MESSAGE_SEARCH_MAX_LIMIT = 50;

/**
 * `GET /api/messages/search`: the caller's messages whose words start with every word of `q`
 * (any letter case, diacritics ignored), newest first, one page at a time.
 */
export class MessageSearchQueryDto {
  @MinLength(1, { message: 'q must not be empty' })
  @MaxLength(SEARCH_QUERY_MAX_LENGTH)
  @IsString({ message: 'q must be text' }) // last: checked first (see SendMessageDto.text)
  q!: string;

  /** Opaque cursor from a previous page's `nextCursor`. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  before?: string;

  @IsOptional()
  // Not @Type(): that needs reflect-metadata, which the dashboard's bundle does not load.
  @Transform(({ value }) =>
    value === undefined || value === '' ? undefined : Number(value),
  )
  @Min(1)
  @Max(MESSAGE_SEARCH_MAX_LIMIT)
  @IsInt() // last: checked first
  limit?: number;
}
