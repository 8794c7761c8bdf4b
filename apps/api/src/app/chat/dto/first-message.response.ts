import {
  ConversationDto,
  type FirstMessageResult,
  MessageDto,
} from '@instantchat/contracts';
import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schema of `FirstMessageResult` (an interface, which OpenAPI cannot see). */
export class FirstMessageResponse implements FirstMessageResult {
  @ApiProperty({
    type: ConversationDto,
    description:
      'The conversation as the caller sees it, this message its preview',
  })
  conversation!: ConversationDto;

  @ApiProperty({ type: MessageDto })
  message!: MessageDto;
}
