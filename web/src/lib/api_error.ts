/** The API's one error shape on the client, apart from the client itself so pure modules can throw it. */

/** The error body every API failure carries. */
export interface ApiErrorBody {
  code: string;
  message: string;
  requestId?: string;
  details?: unknown;
}

/** An API call that failed, with the server's code and message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(body.message);
  }
}
