// REST API for integrators (/api/v1/...): the tRPC procedures that carry `meta.openapi`,
// authenticated by API key only (no cookies, so no CSRF surface).
import { createOpenApiFetchHandler, generateOpenApiDocument } from "trpc-to-openapi";
import { API_SCOPES } from "./auth/scopes";
import type { ServerDeps } from "./deps";
import { mediaOpenApiPaths } from "./media/openapi";
import { createRequestContext } from "./request-context";
import { appRouter } from "./root";

export const REST_BASE_PATH = "/api/v1";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** `curl -X POST .../sessions/{id}/start` with no body is a valid call: treat it as `{}`. */
async function withJsonBody(req: Request): Promise<Request> {
  if (!BODY_METHODS.has(req.method)) return req;
  const text = await req.text();
  const headers = new Headers(req.headers);
  if (!text.trim()) headers.set("content-type", "application/json");
  return new Request(req.url, { method: req.method, headers, body: text.trim() ? text : "{}" });
}

export async function handleRestRequest(original: Request, deps?: ServerDeps): Promise<Response> {
  const req = await withJsonBody(original);
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
      "Send and track WhatsApp messages, upload media, manage sessions, contacts, campaigns and webhook endpoints.",
      "Authenticate with `Authorization: Bearer zf_...` (create keys under API keys in the dashboard).",
      `Each operation needs one scope on the key: ${API_SCOPES.join(", ")}.`,
      "Errors: 400 with field messages for bad input, 401 bad/revoked/expired key, 403 missing scope, 404 unknown id (or another company's), 409 conflict, 503 queue unavailable.",
    ].join("\n\n"),
    baseUrl: `${baseUrl}${REST_BASE_PATH}`,
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "zf_..." } },
  });
  return {
    ...cachedDocument,
    paths: { ...cachedDocument.paths, ...mediaOpenApiPaths }, // the upload is a plain route handler
    servers: [{ url: `${baseUrl}${REST_BASE_PATH}` }],
  };
}
