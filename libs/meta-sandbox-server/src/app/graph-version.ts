/**
 * Meta serves several Graph API versions at once, each under its `/vNN.0` prefix. The sandbox
 * plays one and answers every such prefix as that one, so moving the API to a newer version is a
 * config change only. The Instagram Graph host (`/graph.instagram.com/vNN.0/…`) is versioned too.
 */
const VERSIONED_PATH = /^(\/graph\.instagram\.com)?\/v[1-9]\d{0,2}\.0(?=\/|$)/;

/** The path with any version prefix rewritten to the sandbox's own, e.g. `/v24.0/me` → `/v26.0/me`. */
export function withSandboxGraphVersion(path: string, version: string): string {
  return path.replace(
    VERSIONED_PATH,
    (_prefix, host: string | undefined) => `${host ?? ''}/${version}`,
  );
}
