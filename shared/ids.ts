/** A new random identifier (UUID v4) for rows, jobs and requests. */
export function newId(): string {
  return crypto.randomUUID();
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Whether an incoming request id is safe to adopt (no header injection, bounded length). */
export function isValidRequestId(value: string | null | undefined): value is string {
  return !!value && REQUEST_ID.test(value);
}
