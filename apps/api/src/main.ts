import { Logger } from '@nestjs/common';
import type { AppConfig } from './app/config/app-config';
import { ConfigValidationError } from './app/config/load-config';
import { loadConfigFromEnvironment } from './app/config/load-config-from-environment';
import { createApp } from './bootstrap/create-app';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      // One line per problem, nothing else: this is what an operator reads in a failing deploy.
      for (const problem of error.problems)
        console.error(`Configuration error: ${problem}`);
      process.exit(1);
    }
    throw error;
  }

  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  Logger.log(
    `InstantChat is running on ${config.http.publicUrl} (API docs: ${config.http.publicUrl}/api/docs)`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  Logger.error(
    error instanceof Error ? (error.stack ?? error.message) : String(error),
    'Bootstrap',
  );
  process.exit(1);
});
