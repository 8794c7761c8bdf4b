import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export const MESSAGE_PAGE_DEFAULT_LIMIT = 30;
export const MESSAGE_PAGE_MAX_LIMIT = 100;

/** Cursor pagination, newest first: pass the previous page's `nextCursor` as `before`. */
export class MessagePageQueryDto {
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
  @Max(MESSAGE_PAGE_MAX_LIMIT)
  // Last on purpose: class-validator runs the bottom decorator first, and the API stops at the
  // first error, so "abc" must be reported as not an integer rather than as too large.
  @IsInt()
  limit?: number;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next (older) page, or null when this page is the last. */
  nextCursor: string | null;
}
