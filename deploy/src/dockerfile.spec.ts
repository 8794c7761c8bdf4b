import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DockerfileStage,
  parseDockerfile,
  readRepositoryFile,
  REPOSITORY_ROOT,
} from './deployment-files';

const stages = parseDockerfile(readRepositoryFile('Dockerfile'));
const stage = (name: string): DockerfileStage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
};

/** Where the Nx builds write, read from the projects' own configuration. */
function buildOutputs(): { api: string; web: string; sandbox: string } {
  const webpack = readRepositoryFile('apps/api/webpack.config.js');
  const web = JSON.parse(readRepositoryFile('apps/web/project.json')) as {
    targets: { build: { options: { outputPath: string } } };
  };
  const sandbox = JSON.parse(
    readRepositoryFile('apps/meta-sandbox/project.json'),
  ) as { targets: { build: { options: { outputPath: string } } } };
  const apiOutput = /path: join\(__dirname, '\.\.\/\.\.\/([^']+)'\)/.exec(
    webpack,
  )?.[1];
  if (!apiOutput) throw new Error('apps/api/webpack.config.js: no output path');
  return {
    api: apiOutput,
    // Angular's application builder writes the browser bundle under `browser/`.
    web: `${web.targets.build.options.outputPath}/browser`,
    sandbox: sandbox.targets.build.options.outputPath,
  };
}

describe('Dockerfile', () => {
  it('copies from the build context only files that exist', () => {
    const sources = stages.flatMap((s) => s.contextSources);
    expect(sources.length).toBeGreaterThan(0);
    const missing = sources.filter(
      (source) => !existsSync(join(REPOSITORY_ROOT, source)),
    );
    expect(missing).toEqual([]);
  });

  it('copies only from stages defined before the copy', () => {
    stages.forEach((current, index) => {
      const earlier = stages.slice(0, index).map((s) => s.name);
      for (const { stage: from } of current.stageSources) {
        expect({
          stage: current.name,
          from,
          defined: earlier.includes(from),
        }).toEqual({ stage: current.name, from, defined: true });
      }
    });
  });

  it("takes the runtime's files from where the Nx builds write them", () => {
    const outputs = buildOutputs();
    const fromBuild = stages
      .flatMap((s) => s.stageSources)
      .filter((s) => s.stage === 'build')
      .map((s) => s.path);
    expect(fromBuild).toEqual(
      expect.arrayContaining([
        `/app/${outputs.api}`,
        `/app/${outputs.api}/package.json`,
        `/app/${outputs.web}`,
        `/app/${outputs.sandbox}`,
      ]),
    );
    for (const path of fromBuild) {
      expect(
        [outputs.api, outputs.web, outputs.sandbox].some((out) =>
          path.startsWith(`/app/${out}`),
        ),
      ).toBe(true);
    }
  });

  it('runs the API and the sandbox from the files their stages copied', () => {
    const outputs = buildOutputs();
    expect(stage('api').commandPaths).toEqual([`${outputs.api}/main.js`]);
    expect(stage('meta-sandbox').commandPaths).toEqual([
      `${outputs.sandbox}/main.js`,
    ]);
    // The API's image is the default one: the last stage.
    expect(stages[stages.length - 1].name).toBe('api');
  });

  it('runs both images as the unprivileged node user', () => {
    const text = readRepositoryFile('Dockerfile');
    const users = [...text.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users).toEqual(['node', 'node']);
  });

  it('keeps secrets and local data out of the build context', () => {
    const ignored = readRepositoryFile('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining([
        '**/.env',
        '**/*.env',
        '.data',
        'node_modules',
        'dist',
      ]),
    );
  });
});
