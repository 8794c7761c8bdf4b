import type { ApiErrorBody } from '@instantchat/contracts';
import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';

/** OpenAPI schema of the one error body (`ApiErrorBody`) every route answers with. */
export class ApiErrorResponse implements ApiErrorBody {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP status text' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['email must be a valid email address'],
    description: 'One sentence, or one per invalid field',
  })
  message!: string | string[];

  @ApiPropertyOptional({
    example: 'window_closed',
    description: 'A machine-readable reason, where a client may act on it',
  })
  code?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { windowClosedAt: '2026-11-29T10:00:00.000Z' },
    description: 'Facts that go with `code`',
  })
  details?: Record<string, string>;
}

/** 400 for a body or query that fails validation (one message per invalid field). */
export const ApiValidationErrorResponse = () =>
  applyDecorators(
    ApiBadRequestResponse({
      type: ApiErrorResponse,
      description: 'Invalid input: one message per invalid or unknown field',
    }),
  );
