/**
 * FAKE QStash, for tests only: QStash cannot run on these machines (its local server is a binary downloaded from a
 * host we cannot reach). It speaks the part of QStash's wire protocol the workers use, as `@upstash/qstash` 2.12
 * sends it: `POST /v2/publish/<destination-url>` with a bearer token and the `Upstash-*` control headers
 * (deduplication id, retries, failure callback, `Upstash-Delay` in seconds, `Upstash-Forward-*`), answering `{ messageId }` (with
 * `deduplicated: true` for a repeated deduplication id, which is not delivered again). It then delivers the body to
 * the destination signed as QStash does: an HS256 JWT in `Upstash-Signature` with the current signing key and claims
 * `iss: "Upstash"`, `sub` = destination URL, `exp` (+5 min), `nbf`, `iat`, `jti`, `body` = base64url SHA-256 of the
 * body; plus `Upstash-Retried` (0 on the first try) and `Upstash-Message-Id`. Any non-2xx answer is retried up to
 * `Upstash-Retries` times; then the message goes to the DLQ and the failure callback is called, signed the same way.
 * Schedules: `POST /v2/schedules/<destination-url>` with `Upstash-Cron` and `Upstash-Schedule-Id` creates or replaces
 * a schedule (answering `{ scheduleId }`, as `client.schedules.create` expects); it never fires on its own: a test
 * calls `fireSchedule(id)`, which POSTs an empty body to the destination signed the same way.
 */
import { SignJWT } from "jose";
import { base64url, sha256 } from "@app/shared/crypto.ts";

/** One published message and what became of it. */
export interface FakeMessage {
  messageId: string;
  url: string;
  body: string;
  headers: Headers;
  deduplicationId?: string;
  retries: number;
  failureCallback?: string;
  /** Status of each delivery attempt, in order. */
  attempts: { status: number; retried: number }[];
  state: "pending" | "delivered" | "dlq";
}

/** One registered schedule. */
export interface FakeSchedule {
  scheduleId: string;
  destination: string;
  cron: string;
  retries: number;
}

/** Claims of a QStash signature; tests override them to forge bad ones. */
export interface SignatureClaims {
  iss?: string;
  sub: string;
  body: string;
  exp?: number;
  nbf?: number;
  iat?: number;
}

/** Base64url SHA-256 of a body, as QStash puts it in the `body` claim. */
export async function bodyHash(body: string): Promise<string> {
  return base64url(await sha256(body));
}

/** Signs like QStash: HS256 JWT over the claims with a signing key. */
export function signLikeQStash(key: string, claims: SignatureClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ body: claims.body })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(claims.iss ?? "Upstash")
    .setSubject(claims.sub)
    .setIssuedAt(claims.iat ?? now)
    .setNotBefore(claims.nbf ?? now)
    .setExpirationTime(claims.exp ?? now + 300)
    .setJti(`jwt_${crypto.randomUUID()}`)
    .sign(new TextEncoder().encode(key));
}

/** A running fake QStash. */
export interface FakeQStash {
  url: string;
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
  messages: FakeMessage[];
  /** Registered schedules, by creation (a schedule created again under its id replaces the old one in place). */
  schedules: FakeSchedule[];
  /** Calls a schedule's destination once, as QStash does when its cron fires; answers the destination's reply. */
  fireSchedule(scheduleId: string): Promise<{ status: number; text: string }>;
  /** Resolves when no message is waiting for a delivery attempt. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the fake on a free port. `retryDelayMs` replaces QStash's `min(86400, e^(2.5 n))` s so tests stay fast;
 * `beforeFailureCallback` runs between giving up on a message and calling its failure callback (QStash calls it
 * some time later), so a test can change the world in between.
 */
export function startFakeQStash(
  options: {
    retryDelayMs?: (retried: number) => number;
    beforeFailureCallback?: (message: FakeMessage) => Promise<void> | void;
  } = {},
): Promise<FakeQStash> {
  const token = `fake_token_${crypto.randomUUID()}`;
  const currentSigningKey = `sig_current_${crypto.randomUUID()}`;
  const nextSigningKey = `sig_next_${crypto.randomUUID()}`;
  const retryDelayMs = options.retryDelayMs ?? (() => 20);
  const messages: FakeMessage[] = [];
  const schedules: FakeSchedule[] = [];
  const byDedupId = new Map<string, FakeMessage>();
  const inflight = new Set<Promise<void>>();
  // Closing ends the waits for a delay or a retry (a job scheduled hours ahead must not hold close() for hours).
  const closing = new AbortController();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      closing.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  async function post(
    url: string,
    body: string,
    headers: Headers,
  ): Promise<{ status: number; text: string }> {
    try {
      const res = await fetch(url, { method: "POST", body, headers });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      return { status: 0, text: String(err) };
    }
  }

  async function signedHeaders(url: string, body: string, extra: Record<string, string>): Promise<Headers> {
    const signature = await signLikeQStash(currentSigningKey, { sub: url, body: await bodyHash(body) });
    return new Headers({ ...extra, "Upstash-Signature": signature });
  }

  async function deliver(message: FakeMessage): Promise<void> {
    const delay = /^(\d+)s$/.exec(message.headers.get("upstash-delay") ?? "");
    if (delay) await wait(Number(delay[1]) * 1000);
    if (closing.signal.aborted) return;
    let last = { status: 0, text: "" };
    for (let retried = 0; retried <= message.retries; retried++) {
      const forwarded: Record<string, string> = {};
      message.headers.forEach((v, k) => {
        if (k.startsWith("upstash-forward-")) forwarded[k.slice("upstash-forward-".length)] = v;
      });
      const headers = await signedHeaders(message.url, message.body, {
        ...forwarded,
        "Content-Type": message.headers.get("content-type") ?? "text/plain",
        "Upstash-Retried": String(retried),
        "Upstash-Message-Id": message.messageId,
      });
      last = await post(message.url, message.body, headers);
      message.attempts.push({ status: last.status, retried });
      if (last.status >= 200 && last.status < 300) {
        message.state = "delivered";
        return;
      }
      if (retried < message.retries) await wait(retryDelayMs(retried + 1));
      if (closing.signal.aborted) return;
    }
    message.state = "dlq";
    if (!message.failureCallback) return;
    await options.beforeFailureCallback?.(message);
    const callbackBody = JSON.stringify({
      status: last.status,
      header: {},
      body: btoa(last.text),
      retried: message.retries,
      maxRetries: message.retries,
      dlqId: `dlq_${crypto.randomUUID()}`,
      sourceMessageId: message.messageId,
      url: message.url,
      method: "POST",
      sourceHeader: Object.fromEntries(message.headers),
      sourceBody: btoa(message.body),
    });
    await post(
      message.failureCallback,
      callbackBody,
      await signedHeaders(message.failureCallback, callbackBody, {
        "Content-Type": "application/json",
        "Upstash-Retried": "0",
      }),
    );
  }

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.headers.get("authorization") !== `Bearer ${token}`) {
      return Response.json({ error: "Unauthorized" }, { status: 401 });
    }
    if (req.method === "POST" && url.pathname.startsWith("/v2/schedules/")) {
      const destination = decodeURIComponent(url.pathname.slice("/v2/schedules/".length)).replace(
        /^(https?):\/(?!\/)/,
        "$1://",
      );
      const cron = req.headers.get("upstash-cron");
      if (!/^https?:\/\//.test(destination) || !cron) {
        return Response.json({ error: "invalid destination or cron" }, { status: 400 });
      }
      await req.body?.cancel();
      const schedule: FakeSchedule = {
        scheduleId: req.headers.get("upstash-schedule-id") ?? `scd_${crypto.randomUUID()}`,
        destination,
        cron,
        retries: Number(req.headers.get("upstash-retries") ?? 3),
      };
      const at = schedules.findIndex((s) => s.scheduleId === schedule.scheduleId);
      if (at >= 0) schedules[at] = schedule;
      else schedules.push(schedule);
      return Response.json({ scheduleId: schedule.scheduleId }, { status: 200 });
    }
    if (req.method !== "POST" || !url.pathname.startsWith("/v2/publish/")) {
      return Response.json({ error: "not found" }, { status: 404 });
    }
    const destination = decodeURIComponent(url.pathname.slice("/v2/publish/".length)).replace(
      /^(https?):\/(?!\/)/,
      "$1://",
    );
    if (!/^https?:\/\//.test(destination)) {
      return Response.json({ error: "invalid destination" }, { status: 400 });
    }
    const body = await req.text();
    const dedup = req.headers.get("upstash-deduplication-id") ?? undefined;
    const existing = dedup ? byDedupId.get(dedup) : undefined;
    if (existing) {
      return Response.json({ messageId: existing.messageId, deduplicated: true }, { status: 202 });
    }
    const message: FakeMessage = {
      messageId: `msg_${crypto.randomUUID()}`,
      url: destination,
      body,
      headers: req.headers,
      deduplicationId: dedup,
      retries: Number(req.headers.get("upstash-retries") ?? 3),
      failureCallback: req.headers.get("upstash-failure-callback") ?? undefined,
      attempts: [],
      state: "pending",
    };
    messages.push(message);
    if (dedup) byDedupId.set(dedup, message);
    const run = deliver(message).finally(() => inflight.delete(run));
    inflight.add(run);
    return Response.json({ messageId: message.messageId }, { status: 201 });
  });

  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    token,
    currentSigningKey,
    nextSigningKey,
    messages,
    schedules,
    async fireSchedule(scheduleId: string) {
      const schedule = schedules.find((s) => s.scheduleId === scheduleId);
      if (!schedule) throw new Error(`no schedule "${scheduleId}"`);
      return await post(
        schedule.destination,
        "",
        await signedHeaders(schedule.destination, "", {
          "Upstash-Retried": "0",
          "Upstash-Schedule-Id": schedule.scheduleId,
          "Upstash-Message-Id": `msg_${crypto.randomUUID()}`,
        }),
      );
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async close() {
      closing.abort();
      await Promise.allSettled([...inflight]);
      await server.shutdown();
    },
  });
}
