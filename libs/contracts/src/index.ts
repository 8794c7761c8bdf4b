export * from './lib/auth.dto';
export * from './lib/users.dto';
export * from './lib/pagination.dto';
export * from './lib/chat.dto';
export * from './lib/instagram.dto';
export * from './lib/socket-events';
export * from './lib/errors';
export * from './lib/health.dto';
