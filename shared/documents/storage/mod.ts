import { ConfigError } from "../../env.ts";
import type { ChunkOptions } from "../chunker.ts";
import type { DocumentsEnv } from "../env.ts";
import type { DocumentStorage } from "./interface.ts";
import { LocalDocumentStorage } from "./local.ts";
import { S3DocumentStorage } from "./s3.ts";
import { toHex } from "../../crypto.ts";

/** Picks the document storage from configuration: the one place that knows both implementations. */
export async function createDocumentStorage(
  env: DocumentsEnv & { DATA_DIR: string },
): Promise<DocumentStorage> {
  if (env.STORAGE === "s3") {
    const missing = (["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const)
      .filter((name) => !env[name]);
    if (missing.length > 0) throw new ConfigError(`STORAGE=s3 needs ${missing.join(", ")}`);
    return new S3DocumentStorage({
      endpoint: env.S3_ENDPOINT!,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET!,
      accessKeyId: env.S3_ACCESS_KEY_ID!,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
      sessionToken: env.S3_SESSION_TOKEN,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      keyPrefix: env.S3_KEY_PREFIX,
      defaultTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
    });
  }
  return new LocalDocumentStorage({
    root: `${env.DATA_DIR}/uploads`,
    uploadBaseUrl: env.UPLOAD_BASE_URL,
    signingSecret: env.UPLOAD_SIGNING_SECRET ??
      await keptSecret(`${env.DATA_DIR}/keys/upload_signing_secret`),
    defaultTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
  });
}

/** The chunker's options from configuration. */
export function chunkOptionsFrom(env: DocumentsEnv): ChunkOptions {
  return {
    targetTokens: env.CHUNK_TARGET_TOKENS,
    overlapTokens: Math.min(env.CHUNK_OVERLAP_TOKENS, env.CHUNK_TARGET_TOKENS - 1),
    minTokens: env.CHUNK_MIN_TOKENS,
  };
}

/** A random secret generated on first use and kept on disk, so URLs survive restarts of an embedded install. */
async function keptSecret(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const secret = toHex(crypto.getRandomValues(new Uint8Array(32)));
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  try {
    await Deno.writeTextFile(path, secret, { createNew: true, mode: 0o600 });
    return secret;
  } catch (err) {
    // Another process created it first: use theirs.
    if (err instanceof Deno.errors.AlreadyExists) return (await Deno.readTextFile(path)).trim();
    throw err;
  }
}
