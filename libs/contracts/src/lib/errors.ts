/** The one error body the API answers with, on every route. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /** One sentence, or one per invalid field. */
  message: string | string[];
  /** A machine-readable reason where a client may act on it, e.g. `window_closed`. */
  code?: string;
  /** Facts that go with `code`, e.g. `{ windowClosedAt }` (ISO 8601). */
  details?: Record<string, string>;
}

/** 422 `code`: Meta's messaging window for this contact has closed (`details.windowClosedAt`). */
export const WINDOW_CLOSED_ERROR_CODE = 'window_closed';
