import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DatabaseHealthService } from './database-health.service';
import { DatabaseServer } from './database-server';

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
      }),
    }),
  ],
  providers: [DatabaseShutdown, DatabaseHealthService],
  exports: [DatabaseHealthService],
})
export class DatabaseModule {}
