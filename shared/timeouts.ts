import { AppError, ErrorCode } from "./errors.ts";

/** Rejects with a TIMEOUT `AppError` carrying `message` when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError(ErrorCode.TIMEOUT, message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
