import { argon2id, argon2Verify } from "hash-wasm";
import { AppError, ErrorCode } from "../../shared/errors.ts";

/** argon2id cost parameters (from configuration). */
export interface PasswordHashing {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/** Hashes a password with argon2id; the result is a PHC string that carries its own salt and parameters. */
export function hashPassword(password: string, params: PasswordHashing): Promise<string> {
  return argon2id({
    password: password.normalize("NFKC"),
    salt: crypto.getRandomValues(new Uint8Array(16)),
    memorySize: params.memoryKib,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: 32,
    outputType: "encoded",
  });
}

/** Whether `password` matches a stored argon2id hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password: password.normalize("NFKC"), hash });
  } catch {
    return false;
  }
}

let dummyHash: { params: string; hash: Promise<string> } | undefined;

/**
 * Spends the same time as a real check when there is no account (or no password) to check against, so response
 * times do not tell which emails exist.
 */
export async function burnPasswordCheck(password: string, params: PasswordHashing): Promise<void> {
  const key = JSON.stringify(params);
  if (dummyHash?.params !== key) {
    dummyHash = { params: key, hash: hashPassword("not a real password", params) };
  }
  await verifyPassword(password, await dummyHash.hash);
}

/** Trims, lower-cases and NFC-normalises an email so one mailbox maps to one account. */
export function normaliseEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

/** Throws VALIDATION_FAILED when a password breaks the policy: length bounds, and not built from the email. */
export function checkPasswordPolicy(password: string, email: string, minLength: number): void {
  const problems: string[] = [];
  if ([...password].length < minLength) problems.push(`must be at least ${minLength} characters`);
  if (password.length > 256) problems.push("must be at most 256 characters");
  const lower = password.toLowerCase();
  const local = email.split("@")[0] ?? "";
  if (lower.includes(email) || (local.length >= 4 && lower.includes(local))) {
    problems.push("must not contain your email address");
  }
  if (problems.length > 0) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `Password ${problems.join(" and ")}`, {
      details: problems.map((message) => ({ path: "password", message })),
    });
  }
}
