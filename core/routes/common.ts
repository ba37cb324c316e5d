/** Pieces shared by core's resource routes: error responses for the OpenAPI document and the scoped runner. */
import { z } from "@hono/zod-openapi";
import type { Identity } from "../../shared/identity.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { runScoped, type ScopedContext } from "../academics/context.ts";
import type { CoreServices } from "../services.ts";

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
}).openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBody } },
});

/** The error responses every protected route may give. */
export const errorResponses = {
  400: errorResponse("Invalid input"),
  401: errorResponse("No verified caller"),
  403: errorResponse("The caller may not do this"),
  404: errorResponse("Not found or outside the caller's scope"),
  409: errorResponse("Conflicts with existing data"),
} as const;

/** The error responses of routes that wait on an outside service (the model, the vector store). */
export const upstreamErrorResponses = {
  502: errorResponse("The model or another outside service answered badly"),
  503: errorResponse("An outside service is unavailable"),
  504: errorResponse("An outside service did not answer in time"),
} as const;

/** A JSON response entry for a route's `responses`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A page of items and the cursor of the next page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `{id}` path parameter. */
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

/** Runs a domain function in the verified caller's scoped transaction. */
export function scoped<T>(
  c: { var: { services: CoreServices; caller?: Identity } },
  fn: (ctx: ScopedContext) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  const caller = c.var.caller;
  if (!caller) throw new AppError(ErrorCode.UNAUTHORIZED, "This route needs a verified caller");
  return runScoped(c.var.services, caller, fn, options);
}
