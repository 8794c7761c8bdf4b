import type { AppConfig, EnvironmentVariables } from './app-config';
import { loadConfig } from './load-config';

/** The one place that reads `process.env`. */
export function loadConfigFromEnvironment(): AppConfig {
  return loadConfig(process.env as EnvironmentVariables, {
    cwd: process.cwd(),
  });
}
