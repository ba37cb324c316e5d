/** The one error model of every tier: codes from one enum, mapped to HTTP status in one place. */
export const ErrorCode = {
  BAD_REQUEST: "BAD_REQUEST",
  VALIDATION_FAILED: "VALIDATION_FAILED",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  CONFLICT: "CONFLICT",
  GONE: "GONE",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  UNPROCESSABLE: "UNPROCESSABLE",
  RATE_LIMITED: "RATE_LIMITED",
  QUOTA_EXCEEDED: "QUOTA_EXCEEDED",
  INTERNAL: "INTERNAL",
  BAD_GATEWAY: "BAD_GATEWAY",
  UNAVAILABLE: "UNAVAILABLE",
  TIMEOUT: "TIMEOUT",
} as const;

/** One of the error codes the API can answer with. */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  GONE: 410,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  BAD_GATEWAY: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** The HTTP status for an error code. */
export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

/** The code a bare HTTP status maps to, for errors raised by libraries with only a status. */
export function codeForStatus(status: number): ErrorCode {
  const found = (Object.entries(STATUS) as [ErrorCode, number][]).find(([, s]) => s === status);
  if (found) return found[0];
  return status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
}

/** A field-level problem reported with a validation error. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The body every error response carries. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    requestId: string;
    details?: unknown;
  };
}

/** An error the application raises on purpose; its message is safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }

  get status(): number {
    return statusFor(this.code);
  }
}

/** Builds the one error body shape. */
export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: unknown,
): ErrorBody {
  return { error: { code, message, requestId, ...(details === undefined ? {} : { details }) } };
}

/** Shorthands for the errors domain code raises most. */
export const errors = {
  notFound: (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} was not found`),
  forbidden: (message = "You may not do this") => new AppError(ErrorCode.FORBIDDEN, message),
  unauthorized: (message = "Authentication is required") => new AppError(ErrorCode.UNAUTHORIZED, message),
  conflict: (message: string) => new AppError(ErrorCode.CONFLICT, message),
  badRequest: (message: string, details?: unknown) =>
    new AppError(ErrorCode.BAD_REQUEST, message, { details }),
  unavailable: (message: string) => new AppError(ErrorCode.UNAVAILABLE, message),
};
