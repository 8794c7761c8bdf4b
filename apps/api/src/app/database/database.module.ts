import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DatabaseHealthService } from './database-health.service';
import { DatabaseServer } from './database-server';

/** How long a database call may wait for an unreachable server before it fails. */
export const DATABASE_TIMEOUT_MS = 3_000;

@Module({ providers: [DatabaseServer], exports: [DatabaseServer] })
class DatabaseServerModule {}

/** Closes the connection before the embedded server it talks to goes away. */
@Injectable()
class DatabaseShutdown implements OnApplicationShutdown {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly server: DatabaseServer,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
    await this.server.stop();
  }
}

@Module({
  imports: [
    DatabaseServerModule,
    MongooseModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [DatabaseServer],
      useFactory: async (server: DatabaseServer) => ({
        uri: await server.connectionUri(),
        // Fail fast while the database is unreachable: a request answers 503 within seconds
        // (ApiExceptionFilter) instead of hanging for the driver's default 30 s.
        serverSelectionTimeoutMS: DATABASE_TIMEOUT_MS,
        bufferTimeoutMS: DATABASE_TIMEOUT_MS,
      }),
    }),
  ],
  providers: [DatabaseShutdown, DatabaseHealthService],
  exports: [DatabaseHealthService],
})
export class DatabaseModule {}
