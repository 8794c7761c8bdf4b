// The API's module layering as a lint rule, so a wrong import fails `npm test` instead of waiting
// for a reviewer. Each relative import is resolved to the folder it lands in and checked against
// the layers below; `no-restricted-imports` patterns cannot do this exactly, because the same
// `../x` means a different folder at each depth.
const path = require('node:path');

/**
 * Folders of `src/app/`, highest first. A folder may import folders of lower layers only; folders
 * of one layer are peers and do not import each other. `core/` (error shape, @Public, @CurrentUser,
 * the authenticated principal) is at the bottom, so it imports no feature.
 */
const LAYERS = [
  ['webhook'],
  ['instagram'],
  ['chat'],
  ['realtime'],
  ['auth'],
  ['users'],
  ['meta', 'database', 'metrics', 'rate-limit'],
  ['config', 'core'],
];

/** Folders outside the chain, with what they may import. */
const SIDE_MODULES = {
  health: ['database', 'metrics', 'config', 'core'],
};

/**
 * Assembly may import anything: `main.ts` and `src/bootstrap/` build the app, `app.module.ts`
 * lists the modules, and the shared test harness (`src/app/testing/`) boots the whole app.
 */
const ASSEMBLY_AREAS = new Set(['bootstrap', 'app.module', 'testing']);

/** What specs and test fixtures may import beyond their folder's layers: the app assembly they boot. */
const TEST_ONLY_TARGETS = new Set(['bootstrap', 'testing']);

const LAYERING_SUMMARY =
  'webhook → instagram → chat → realtime → auth → users → {meta, database, metrics, rate-limit} → {config, core}; health → {database, metrics, config, core}';

function layerIndex(area) {
  return LAYERS.findIndex((layer) => layer.includes(area));
}

/** May code in `from` import code in `to` (both folder names under src/app, or assembly areas)? */
function mayImport(from, to, { isTestCode }) {
  if (from === to || ASSEMBLY_AREAS.has(from)) return true;
  if (isTestCode && TEST_ONLY_TARGETS.has(to)) return true;
  if (SIDE_MODULES[from]) return SIDE_MODULES[from].includes(to);
  const fromLayer = layerIndex(from);
  const toLayer = layerIndex(to);
  return fromLayer !== -1 && toLayer !== -1 && toLayer > fromLayer;
}

function isKnownArea(area) {
  return (
    ASSEMBLY_AREAS.has(area) || area in SIDE_MODULES || layerIndex(area) !== -1
  );
}

/** The folder a file of the API belongs to, or undefined outside `apps/api/src`. */
function areaOf(absoluteFile, sourceRoot) {
  const relative = path.relative(sourceRoot, absoluteFile);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(path.sep);
  if (parts.length === 1) return 'bootstrap'; // main.ts
  if (parts[0] === 'bootstrap') return 'bootstrap';
  if (parts[0] !== 'app') return undefined;
  if (parts.length === 2) return parts[1].replace(/\.ts$/, ''); // app.module.ts
  return parts[1];
}

function isTestFile(absoluteFile) {
  return (
    /\.spec\.ts$/.test(absoluteFile) ||
    absoluteFile.split(path.sep).includes('testing')
  );
}

/** The `apps/api/src` folder a file lives in (the rule also runs from the workspace root). */
function sourceRootOf(absoluteFile) {
  const marker = `${path.sep}apps${path.sep}api${path.sep}src${path.sep}`;
  const at = absoluteFile.lastIndexOf(marker);
  return at === -1 ? undefined : absoluteFile.slice(0, at + marker.length - 1);
}

const rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "Keeps the API's modules depending downward only (see the README's Architecture section).",
    },
    schema: [],
    messages: {
      upward:
        '`{{from}}/` may not import `{{to}}/`: modules depend downward only ({{layering}}).',
      unknownFolder:
        '`{{area}}/` has no place in the API layering: add it to apps/api/eslint-rules/module-layering.js.',
    },
  },
  create(context) {
    const file = context.filename;
    const sourceRoot = sourceRootOf(file);
    if (!sourceRoot) return {};
    const from = areaOf(file, sourceRoot);
    if (!from) return {};
    const isTestCode = isTestFile(file);

    function check(sourceNode) {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      const specifier = sourceNode.value;
      if (!specifier.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), specifier);
      const to = areaOf(target, sourceRoot);
      if (!to) return;
      if (!isKnownArea(to)) {
        context.report({
          node: sourceNode,
          messageId: 'unknownFolder',
          data: { area: to },
        });
        return;
      }
      if (!isKnownArea(from)) {
        context.report({
          node: sourceNode,
          messageId: 'unknownFolder',
          data: { area: from },
        });
        return;
      }
      if (!mayImport(from, to, { isTestCode })) {
        context.report({
          node: sourceNode,
          messageId: 'upward',
          data: { from, to, layering: LAYERING_SUMMARY },
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

module.exports = { rule, LAYERS, SIDE_MODULES };
