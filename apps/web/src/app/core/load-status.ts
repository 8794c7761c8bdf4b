/** Where a piece of remote data stands, for loading, error and ready views. */
export type LoadStatus = 'loading' | 'ready' | 'error';
