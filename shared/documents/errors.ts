import { AppError, ErrorCode } from "../errors.ts";

/** Why a document could not be accepted or read; stable strings the API and the documents table can carry. */
export type DocumentFailure =
  | "encrypted"
  | "corrupt"
  | "no_text"
  | "type_mismatch"
  | "unsupported_type"
  | "too_large"
  | "too_many_pages"
  | "too_much_text"
  | "too_many_chunks"
  | "zip_bomb"
  | "timeout"
  | "out_of_memory"
  | "crashed";

const CODES: Record<DocumentFailure, ErrorCode> = {
  encrypted: ErrorCode.UNPROCESSABLE,
  corrupt: ErrorCode.UNPROCESSABLE,
  no_text: ErrorCode.UNPROCESSABLE,
  type_mismatch: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  unsupported_type: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  too_large: ErrorCode.PAYLOAD_TOO_LARGE,
  too_many_pages: ErrorCode.UNPROCESSABLE,
  too_much_text: ErrorCode.UNPROCESSABLE,
  too_many_chunks: ErrorCode.UNPROCESSABLE,
  zip_bomb: ErrorCode.UNPROCESSABLE,
  timeout: ErrorCode.UNPROCESSABLE,
  out_of_memory: ErrorCode.UNPROCESSABLE,
  crashed: ErrorCode.UNPROCESSABLE,
};

/**
 * A document that cannot be stored or read, with a machine reason and a message meant for the uploader
 * (shown on the document when ingestion fails).
 */
export class DocumentError extends AppError {
  readonly reason: DocumentFailure;

  constructor(reason: DocumentFailure, message: string, options: { cause?: unknown } = {}) {
    super(CODES[reason], message, { details: { reason }, cause: options.cause });
    this.name = "DocumentError";
    this.reason = reason;
  }
}
