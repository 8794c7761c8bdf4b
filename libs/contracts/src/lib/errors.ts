/** The one error body the API answers with, on every route. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /** One sentence, or one per invalid field. */
  message: string | string[];
}
