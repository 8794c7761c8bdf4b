import { Document } from 'bson';
import { idFirst, isPlainObject } from '../bson-values';
import { hasExoticNumbers, toQueryView } from './query-view';
import { badValue, toServerError } from '../errors';
import { restoreTypedFields } from './aggregation-operators';
import { Aggregator, MINGO_OPTIONS } from './context';
import { assertSupportedFilter } from './filters';

const SUPPORTED_STAGES = new Set([
  '$match',
  '$group',
  '$sort',
  '$skip',
  '$limit',
  '$project',
  '$lookup',
  '$unwind',
  '$count',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$facet',
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$sample',
  '$unionWith',
  '$graphLookup',
  '$redact',
  '$setWindowFields',
  '$densify',
  '$fill',
  '$documents',
]);

export function assertSupportedPipeline(
  pipeline: unknown,
): asserts pipeline is Document[] {
  if (!Array.isArray(pipeline)) throw typeMismatchPipeline();
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1)
      throw badValue(
        'A pipeline stage specification object must contain exactly one field.',
      );
    const name = Object.keys(stage)[0];
    if (!SUPPORTED_STAGES.has(name))
      throw badValue(`Unrecognized pipeline stage name: '${name}'`);
    if (name === '$match') {
      assertSupportedFilter(stage[name]);
    }
    if (name === '$facet' && isPlainObject(stage[name]))
      for (const sub of Object.values(stage[name]))
        assertSupportedPipeline(sub);
    if (name === '$lookup' && Array.isArray(stage[name]?.pipeline))
      assertSupportedPipeline(stage[name].pipeline);
    if (name === '$unionWith' && Array.isArray(stage[name]?.pipeline))
      assertSupportedPipeline(stage[name].pipeline);
  }
}

function typeMismatchPipeline() {
  return badValue("'pipeline' option must be specified as an array");
}

/** Runs an aggregation pipeline on already-copied input documents. */
export function runPipeline(
  input: Document[],
  rawPipeline: Document[],
  resolveCollection: (name: string) => Document[],
): Document[] {
  const pipeline = rawPipeline.flatMap(expandStage);
  const exotic = input.some(hasExoticNumbers) || hasExoticNumbers(pipeline);
  try {
    const agg = new Aggregator(exotic ? toQueryView(pipeline) : pipeline, {
      ...MINGO_OPTIONS,
      collectionResolver: (name: string) => {
        const docs = resolveCollection(name);
        return exotic ? docs.map(toQueryView) : docs;
      },
    });
    // mongod emits `_id` first (mingo appends computed fields before it).
    return (agg.run(exotic ? input.map(toQueryView) : input) as Document[]).map(
      (d) => idFirst(restoreTypedFields(d)),
    );
  } catch (err) {
    throw toServerError(err);
  }
}

/** `$count` as mongod defines it (a `$group` and a `$project`), so an empty input gives no document. */
function expandStage(stage: Document): Document[] {
  if (typeof stage['$count'] === 'string') {
    const field = stage['$count'];
    return [
      { $group: { _id: null, [field]: { $sum: 1 } } },
      { $project: { _id: 0 } },
    ];
  }
  return [stage];
}
