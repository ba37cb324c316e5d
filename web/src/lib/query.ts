/** The app's one server-state cache: retries only what may succeed on retry, never a 4xx. */
import { QueryClient } from "@tanstack/preact-query";
import { ApiError } from "./api.ts";

/** Builds the query client (one per page load). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
