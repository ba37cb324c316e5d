/**
 * FAKE S3 FOR TESTS ONLY. No S3/MinIO server can run on these machines, so this small HTTP server stands in for
 * one: path-style `PUT`/`GET`/`HEAD`/`DELETE /{bucket}/{key}`, every request checked with the independent SigV4
 * verifier (presigned query or Authorization header), S3's XML error bodies and status codes. Objects live in memory.
 */
import { verifySigV4 } from "./sigv4.ts";

/** A running fake S3 endpoint. */
export interface FakeS3 {
  endpoint: string;
  objects: Map<string, { body: Uint8Array; contentType: string }>;
  /** Every request seen, with its verification outcome. */
  log: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

/** Starts a fake S3 on a free port of 127.0.0.1 for `bucket`, accepting the given access keys. */
export function startFakeS3(
  options: { bucket: string; secrets: Record<string, string>; now?: () => number },
): FakeS3 {
  const objects = new Map<string, { body: Uint8Array; contentType: string }>();
  const log: FakeS3["log"] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const res = await handle(req, url);
    log.push({ method: req.method, path: url.pathname, status: res.status });
    return res;
  });

  async function handle(req: Request, url: URL): Promise<Response> {
    const verdict = await verifySigV4(req, options.secrets, options.now?.() ?? Date.now());
    if (!verdict.ok) {
      await req.body?.cancel();
      const code = verdict.reason === "expired"
        ? "AccessDenied"
        : verdict.reason === "unknown_key"
        ? "InvalidAccessKeyId"
        : "SignatureDoesNotMatch";
      return s3Error(403, code, verdict.detail);
    }
    const [, bucket, ...rest] = url.pathname.split("/");
    const key = rest.map(decodeURIComponent).join("/");
    if (bucket !== options.bucket) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist");
    switch (req.method) {
      case "PUT": {
        const body = new Uint8Array(await req.arrayBuffer());
        objects.set(key, { body, contentType: req.headers.get("content-type") ?? "binary/octet-stream" });
        return new Response(null, { status: 200, headers: { etag: `"${body.length}"` } });
      }
      case "GET":
      case "HEAD": {
        const object = objects.get(key);
        if (!object) {
          return s3Error(404, "NoSuchKey", "The specified key does not exist.", req.method === "HEAD");
        }
        return new Response(req.method === "HEAD" ? null : object.body.slice(), {
          headers: { "content-type": object.contentType, "content-length": String(object.body.length) },
        });
      }
      case "DELETE":
        objects.delete(key); // S3 answers 204 whether or not the key existed
        return new Response(null, { status: 204 });
      default:
        return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
  }

  const { port } = server.addr as Deno.NetAddr;
  return { endpoint: `http://127.0.0.1:${port}`, objects, log, close: () => server.shutdown() };
}

function s3Error(status: number, code: string, message: string, noBody = false): Response {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return new Response(noBody ? null : body, { status, headers: { "content-type": "application/xml" } });
}
