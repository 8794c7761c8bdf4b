import { IsMongoId } from 'class-validator';
import {
  SendMessageDto,
  type ConversationDto,
  type MessageDto,
} from './chat.dto';

/**
 * `POST /api/conversations/messages`: the first message to a person. The conversation is opened
 * (or the existing one reused) together with it, so picking a name alone creates nothing in the
 * other person's inbox.
 */
export class SendFirstMessageDto extends SendMessageDto {
  /** The other person's user id. */
  @IsMongoId({ message: 'participantId must be a user id' })
  participantId!: string;
}

export interface FirstMessageResult {
  /** As the caller sees it, with the message as its preview. */
  conversation: ConversationDto;
  message: MessageDto;
}
