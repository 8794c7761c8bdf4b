import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: the Docker build context and where docker-compose.yml lives. */
export const REPOSITORY_ROOT = resolve(__dirname, '../..');

export function readRepositoryFile(path: string): string {
  return readFileSync(join(REPOSITORY_ROOT, path), 'utf8');
}

export interface DockerfileStage {
  name: string;
  /** Sources of `COPY` from the build context. */
  contextSources: string[];
  /** `COPY --from=<stage>` sources, with the stage they come from. */
  stageSources: { stage: string; path: string }[];
  /** The paths in `CMD ["node", "<path>"]`. */
  commandPaths: string[];
}

/**
 * The stages of a Dockerfile with what each copies and runs. Handles the forms this repository
 * uses (`FROM image AS name`, `COPY [--from=stage] src… dest`, `CMD [...]` in JSON form, line
 * continuations); anything else is not needed to check its paths.
 */
export function parseDockerfile(text: string): DockerfileStage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerfileStage[] = [];
  for (const line of instructions) {
    const [keyword, ...args] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const as = args.findIndex((arg) => arg.toUpperCase() === 'AS');
      stages.push({
        name: as >= 0 ? args[as + 1] : `#${stages.length}`,
        contextSources: [],
        stageSources: [],
        commandPaths: [],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    if (upper === 'COPY') {
      const from = args
        .find((arg) => arg.startsWith('--from='))
        ?.slice('--from='.length);
      const paths = args.filter((arg) => !arg.startsWith('--'));
      for (const source of paths.slice(0, -1)) {
        if (from) stage.stageSources.push({ stage: from, path: source });
        else stage.contextSources.push(source);
      }
    }
    if (upper === 'CMD' && line.includes('[')) {
      const command = JSON.parse(line.slice(line.indexOf('['))) as string[];
      if (command[0] === 'node') stage.commandPaths.push(...command.slice(1));
    }
  }
  return stages;
}

/** The API-replica block (`x-api`) of docker-compose.yml: what every replica runs with. */
export function apiReplicaBlock(compose: string): string {
  const start = compose.indexOf('x-api: &api');
  const end = compose.indexOf('\nservices:', start);
  if (start < 0 || end < 0)
    throw new Error('docker-compose.yml has no x-api block');
  return compose.slice(start, end);
}
