/**
 * Test helper: an independent AWS Signature Version 4 verifier, written from AWS's specification ("Create a
 * canonical request", "Authenticating requests: using query parameters") rather than from aws4fetch, so tests can
 * check that what aws4fetch signs is what S3 would accept. Handles presigned URLs and `Authorization` headers.
 */
import { sha256Hex, toHex } from "../../crypto.ts";

const encoder = new TextEncoder();

/** Why a request was refused, as S3 reports it. */
export type SigV4Failure = "missing" | "malformed" | "unknown_key" | "expired" | "mismatch";

/** The outcome of verifying one request. */
export type SigV4Result = { ok: true; accessKeyId: string } | {
  ok: false;
  reason: SigV4Failure;
  detail: string;
};

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters percent-encoded, upper-case hex. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = "";
  for (const byte of encoder.encode(value)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch) || (keepSlash && ch === "/")) out += ch;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

async function hmac(key: Uint8Array | string, data: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const k = await crypto.subtle.importKey(
    "raw",
    raw.slice().buffer,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(data)));
}

/** Parses `YYYYMMDDTHHMMSSZ`. */
function parseAmzDate(value: string): number {
  const m = value.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** Verifies the SigV4 signature of `request` (as S3 receives it) with the secrets in `secrets`. */
export async function verifySigV4(
  request: { method: string; url: string; headers: Headers },
  secrets: Record<string, string>,
  now = Date.now(),
): Promise<SigV4Result> {
  const url = new URL(request.url);
  const presigned = url.searchParams.has("X-Amz-Signature");
  let credential: string, signedHeaders: string, signature: string, amzDate: string, payloadHash: string;
  if (presigned) {
    const q = url.searchParams;
    if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return fail("malformed", "unsupported algorithm");
    credential = q.get("X-Amz-Credential") ?? "";
    signedHeaders = q.get("X-Amz-SignedHeaders") ?? "";
    signature = q.get("X-Amz-Signature") ?? "";
    amzDate = q.get("X-Amz-Date") ?? "";
    payloadHash = "UNSIGNED-PAYLOAD";
    const expires = Number(q.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
      return fail("malformed", "bad X-Amz-Expires");
    }
    if (now > parseAmzDate(amzDate) + expires * 1000) return fail("expired", "Request has expired");
  } else {
    const auth = request.headers.get("authorization");
    if (!auth) return fail("missing", "no signature");
    const m = auth.match(
      /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/,
    );
    if (!m) return fail("malformed", "bad Authorization header");
    [credential, signedHeaders, signature] = [m[1], m[2], m[3]];
    amzDate = request.headers.get("x-amz-date") ?? "";
    payloadHash = request.headers.get("x-amz-content-sha256") ?? "";
    if (!payloadHash) return fail("malformed", "missing x-amz-content-sha256");
    // S3 allows 15 minutes of clock skew for header-signed requests.
    if (Math.abs(now - parseAmzDate(amzDate)) > 15 * 60 * 1000) {
      return fail("expired", "clock skew too large");
    }
  }
  const [accessKeyId, date, region, service, terminator] = credential.split("/");
  if (terminator !== "aws4_request" || !amzDate.startsWith(date)) {
    return fail("malformed", "bad credential scope");
  }
  const secret = secrets[accessKeyId];
  if (!secret) return fail("unknown_key", "InvalidAccessKeyId");
  const headerNames = signedHeaders.split(";");
  if (!headerNames.includes("host")) return fail("malformed", "host must be signed");

  const canonicalUri = url.pathname.split("/").map((s) => uriEncode(decodeURIComponent(s))).join("/");
  const canonicalQuery = [...url.searchParams]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, av], [b, bv]) => a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0)
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = headerNames.map((name) => {
    const value = name === "host" ? (request.headers.get("host") ?? url.host) : request.headers.get(name);
    return `${name}:${(value ?? "").trim().replace(/\s+/g, " ")}\n`;
  }).join("");
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${await sha256Hex(canonicalRequest)}`;
  const key = await hmac(
    await hmac(await hmac(await hmac(`AWS4${secret}`, date), region), service),
    "aws4_request",
  );
  const expected = toHex(await hmac(key, stringToSign));
  return expected === signature ? { ok: true, accessKeyId } : fail("mismatch", "SignatureDoesNotMatch");
}

function fail(reason: SigV4Failure, detail: string): SigV4Result {
  return { ok: false, reason, detail };
}
