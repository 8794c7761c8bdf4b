import { MessageDto, type Page } from '@instantchat/contracts';
import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schema of `Page<MessageDto>` (the contract is an interface, which OpenAPI cannot see). */
export class MessagePageResponse implements Page<MessageDto> {
  @ApiProperty({ type: MessageDto, isArray: true, description: 'Newest first' })
  items!: MessageDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Pass as `before` for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}
