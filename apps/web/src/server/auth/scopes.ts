// API key scopes: a key may call a procedure only if the procedure names a scope the key holds.
export const API_SCOPES = [
  "sessions:read",
  "sessions:write",
  "messages:read",
  "messages:write",
  "contacts:read",
  "contacts:write",
  "campaigns:read",
  "campaigns:write",
  "events:read",
  /** Create, edit, delete webhook endpoints, rotate their secrets, read their delivery logs. */
  "webhooks:manage",
] as const;

export type ApiScope = (typeof API_SCOPES)[number];
