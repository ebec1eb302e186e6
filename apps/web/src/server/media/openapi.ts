// OpenAPI description of POST /media: a plain route handler (a file body, not JSON), so it is not
// generated from the tRPC router like the rest; rest.ts merges it into /api/openapi.json.
import { acceptedList, mediaMessageTypes } from "./mime-types";

const typeSchema = { type: "string", enum: mediaMessageTypes } as const;
const errorBody = { description: "JSON { message, code, data: { fieldErrors } }" };

export const mediaOpenApiPaths = {
  "/media": {
    post: {
      tags: ["media"],
      operationId: "media-upload",
      summary: "Upload a media file; send it with the returned storageKey",
      description: [
        "Scope messages:write. Body: multipart/form-data with the file in a `file` field (and optionally `type`),",
        "or the raw bytes with the file's Content-Type (then `type`/`fileName` as query parameters).",
        "The file must be one WhatsApp accepts for the message type:",
        ...mediaMessageTypes.map((t) => `${t}: ${acceptedList(t)}.`),
        "Size limit: MEDIA_MAX_UPLOAD_MB (default 16). Then POST /messages with { type, storageKey, mimeType }.",
        "A storageKey belongs to the uploading company: another company's key is refused with 400.",
      ].join(" "),
      security: [{ bearerAuth: [] }],
      parameters: [
        {
          name: "type",
          in: "query",
          required: false,
          schema: typeSchema,
          description: "Message type the file is for (raw uploads; multipart: a `type` field)",
        },
        { name: "fileName", in: "query", required: false, schema: { type: "string" } },
      ],
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              required: ["file"],
              properties: { file: { type: "string", format: "binary" }, type: typeSchema },
            },
          },
          "*/*": { schema: { type: "string", format: "binary", description: "Raw file bytes" } },
        },
      },
      responses: {
        "200": {
          description: "Stored",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["storageKey", "mimeType", "size", "type"],
                properties: {
                  storageKey: { type: "string", description: "<companyId>/outbound/<uuid>.<ext>" },
                  mimeType: { type: "string" },
                  size: { type: "integer", description: "Bytes" },
                  type: { ...typeSchema, description: "Message type to send it as" },
                },
              },
            },
          },
        },
        "400": {
          ...errorBody,
          description: "Empty file, or a mime type WhatsApp does not accept for the type",
        },
        "401": { ...errorBody, description: "Missing, unknown, revoked or expired API key" },
        "403": { ...errorBody, description: "API key without scope messages:write" },
        "413": { ...errorBody, description: "Larger than MEDIA_MAX_UPLOAD_MB" },
      },
    },
  },
};
