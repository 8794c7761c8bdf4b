import type { Query } from 'mongoose';

/** What `explain('executionStats')` says of a find, as far as the index specs read it. */
export interface ExplainedQuery {
  /** The winning plan as JSON: its stage names (IXSCAN, SORT…) and index keys can be looked for. */
  plan: string;
  docsExamined: number;
  returned: number;
}

/** Runs the find with `explain('executionStats')` (MongoDB and the embedded server alike). */
export async function explainQuery(
  query: Query<unknown, unknown>,
): Promise<ExplainedQuery> {
  const explained = (await query.explain('executionStats')) as unknown as {
    queryPlanner: { winningPlan: unknown };
    executionStats: { totalDocsExamined: number; nReturned: number };
  };
  return {
    plan: JSON.stringify(explained.queryPlanner.winningPlan),
    docsExamined: explained.executionStats.totalDocsExamined,
    returned: explained.executionStats.nReturned,
  };
}
