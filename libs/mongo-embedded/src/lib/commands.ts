// Moved: the dispatcher and its handlers are being split into commands/.
export {
  CommandDispatcher,
  MAX_BSON_OBJECT_SIZE,
  MAX_MESSAGE_SIZE,
} from './commands/writes';
export type { CommandContext } from './commands/writes';
