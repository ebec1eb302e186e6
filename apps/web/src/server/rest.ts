// REST API for integrators (/api/v1/...): the tRPC procedures that carry `meta.openapi`,
// authenticated by API key only (no cookies, so no CSRF surface).
import { createOpenApiFetchHandler, generateOpenApiDocument } from "trpc-to-openapi";
import { API_SCOPES } from "./auth/scopes";
import type { ServerDeps } from "./deps";
import { createRequestContext } from "./request-context";
import { appRouter } from "./root";

export const REST_BASE_PATH = "/api/v1";

export function handleRestRequest(req: Request, deps?: ServerDeps): Promise<Response> {
  return createOpenApiFetchHandler({
    endpoint: REST_BASE_PATH,
    router: appRouter,
    req,
    createContext: () => createRequestContext(req, { allowSession: false }, deps),
  });
}

let cachedDocument: ReturnType<typeof generateOpenApiDocument> | undefined;

export function openApiDocument(baseUrl: string) {
  cachedDocument ??= generateOpenApiDocument(appRouter, {
    title: "Zapflow API",
    version: "1.0.0",
    description: [
      "Send and track WhatsApp messages, manage sessions, contacts and campaigns.",
      "Authenticate with `Authorization: Bearer zf_...` (create keys under API keys in the dashboard).",
      `Each operation needs one scope on the key: ${API_SCOPES.join(", ")}.`,
      "Errors: 400 with field messages for bad input, 401 bad/revoked/expired key, 403 missing scope, 404 unknown id (or another company's), 409 conflict, 503 queue unavailable.",
    ].join("\n\n"),
    baseUrl: `${baseUrl}${REST_BASE_PATH}`,
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "zf_..." } },
  });
  return { ...cachedDocument, servers: [{ url: `${baseUrl}${REST_BASE_PATH}` }] };
}
