// POST /api/v1/media: authorize (API key or dashboard session) → read the file within the size limit
// → store it under `<companyId>/outbound/` → { storageKey, mimeType, size, type }. Errors are JSON
// shaped like the REST API's: { message, code, data: { fieldErrors } }.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { bearerApiKey } from "../auth/api-key";
import type { TRPCContext } from "../context";
import { fieldErrorsOf, toTRPCError } from "../errors";
import { createRequestContext } from "../request-context";
import { uploadCompanyId } from "./authorize";
import { SESSION_UPLOAD_HEADER } from "./client";
import { readUpload } from "./read-upload";
import { storeUpload } from "./service";
import { getMediaSettings, type MediaSettings } from "./settings";

export interface MediaUploadOptions {
  /** Who is calling; default: the API key, else the dashboard session cookie. */
  createContext?: () => Promise<TRPCContext>;
  media?: MediaSettings;
}

function errorResponse(err: unknown): Response {
  const mapped = toTRPCError(err);
  if (!mapped) console.error("media upload failed", err);
  const error =
    mapped ?? new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "the upload could not be stored" });
  return Response.json(
    { message: error.message, code: error.code, data: { fieldErrors: fieldErrorsOf(error.cause) } },
    { status: getHTTPStatusCodeFromError(error) },
  );
}

export async function handleMediaUpload(req: Request, opts: MediaUploadOptions = {}): Promise<Response> {
  try {
    const createContext = opts.createContext ?? (() => createRequestContext(req, { allowSession: true }));
    const companyId = await uploadCompanyId(await createContext());
    if (!bearerApiKey(req.headers.get("authorization")) && !req.headers.get(SESSION_UPLOAD_HEADER)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `dashboard uploads need the ${SESSION_UPLOAD_HEADER} header (integrators: send an API key)`,
      });
    }
    const media = opts.media ?? getMediaSettings();
    const upload = await readUpload(req, media.maxBytes);
    return Response.json(await storeUpload(media.storage, companyId, upload));
  } catch (err) {
    return errorResponse(err);
  }
}
