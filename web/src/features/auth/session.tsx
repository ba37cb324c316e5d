/** The signed-in user as app state: restored from the refresh cookie at start, cleared at sign-out. */
import { useEffect, useState } from "preact/hooks";
import { api, onSessionChange, renewSession, sessionUser, setSession, type User } from "../../lib/api.ts";

/** The user (null when signed out) and whether the first session check is still running. */
export function useSession(): { user: User | null; checking: boolean } {
  const [user, setUser] = useState<User | null>(sessionUser());
  const [checking, setChecking] = useState(!restored);
  useEffect(() => {
    const off = onSessionChange(setUser);
    if (!restored) {
      restore().finally(() => {
        setUser(sessionUser());
        setChecking(false);
      });
    }
    return off;
  }, []);
  return { user, checking };
}

let restored = false;
let restoring: Promise<unknown> | null = null;

function restore() {
  restoring ??= renewSession().finally(() => restored = true);
  return restoring;
}

/** Signs out here and on the server (the refresh token is revoked and its cookie cleared). */
export async function signOut(): Promise<void> {
  try {
    await api.POST("/api/v1/auth/logout", { body: {} });
  } finally {
    setSession(null);
  }
}
