/**
 * The one way the app reaches the API: the typed client from `shared/api`, with the access token kept in memory
 * and renewed from the refresh cookie (`POST /api/v1/auth/refresh`, same origin) whenever a call answers 401 —
 * the call is then repeated once, so a form being filled in or a question being sent is not lost.
 */
import { type ApiClient, type components, createApiClient } from "../../../shared/api/client.ts";
import { ApiError, type ApiErrorBody } from "./api_error.ts";

export { ApiError, type ApiErrorBody };

/** Shapes of the API's bodies. */
export type Schemas = components["schemas"];
/** The signed-in user. */
export type User = Schemas["User"];

type TokenBody = Schemas["TokenResponse"];
type Listener = (user: User | null) => void;

let accessToken: string | undefined;
let currentUser: User | null = null;
let renewing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

/** Turns an openapi-fetch result into its data or throws `ApiError`. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const body = (result.error as { error?: ApiErrorBody } | undefined)?.error;
    throw new ApiError(
      result.response.status,
      body ?? { code: "HTTP_" + result.response.status, message: result.response.statusText },
    );
  }
  return result.data as T;
}

function isAuthCall(url: string): boolean {
  return new URL(url, location.origin).pathname.startsWith("/api/v1/auth/");
}

/** Renews the access token from the refresh cookie; one renewal at a time, shared by concurrent callers. */
export function renewSession(): Promise<boolean> {
  renewing ??= (async () => {
    try {
      const { data, response } = await api.POST("/api/v1/auth/refresh", { body: {} });
      if (!response.ok || !data) {
        setSession(null);
        return false;
      }
      acceptTokens(data);
      if (!data.user) {
        const me = await api.GET("/api/v1/me");
        if (me.data) setSession(me.data);
      }
      return true;
    } catch {
      return false;
    } finally {
      renewing = null;
    }
  })();
  return renewing;
}

/** The fetch the client uses: bearer token on, and on a 401 outside `/auth/` one renewal and one retry. */
async function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const retry = request.clone();
  const first = await fetch(withToken(request));
  if (first.status !== 401 || isAuthCall(request.url) || !currentUser) return first;
  await first.body?.cancel();
  if (!(await renewSession())) {
    expired = true;
    notify();
    return first;
  }
  return await fetch(withToken(retry));
}

function withToken(request: Request): Request {
  if (accessToken) request.headers.set("authorization", `Bearer ${accessToken}`);
  return request;
}

/** The typed client every feature calls. */
export const api: ApiClient = createApiClient(location.origin, { fetch: authFetch });

/** Whether the last renewal failed while signed in (the sign-in page then says the session ended). */
export let expired = false;

function notify() {
  for (const l of listeners) l(currentUser);
}

/** Stores tokens from a sign-in, registration, 2FA or refresh answer. */
export function acceptTokens(body: TokenBody): void {
  accessToken = body.accessToken;
  if (body.user) currentUser = body.user;
  expired = false;
  notify();
}

/** Sets or clears the signed-in user. */
export function setSession(user: User | null): void {
  currentUser = user;
  if (!user) accessToken = undefined;
  notify();
}

/** The signed-in user, or null. */
export function sessionUser(): User | null {
  return currentUser;
}

/** Calls `listener` on every sign-in, renewal and sign-out; returns the unsubscribe. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The items of a list answer. Every list answers `{ items, nextCursor }`; until the notifications list has moved
 * to that shape its older `{ notifications }` is read too.
 */
export function itemsOf<T>(body: { items?: T[] } | { notifications?: T[] }): T[] {
  return ("items" in body ? body.items : "notifications" in body ? body.notifications : undefined) ?? [];
}
