// Who is calling: a signed-in dashboard user (from the next-auth JWT) or an integrator's API key.
export interface UserPrincipal {
  kind: "user";
  userId: string;
  isPlatformAdmin: boolean;
  /** Company chosen with the switcher (stored in the JWT after a membership check); re-verified per request. */
  activeCompanyId: string | null;
}

export interface ApiKeyPrincipal {
  kind: "apiKey";
  apiKeyId: string;
  companyId: string;
  scopes: string[];
}

export type Principal = UserPrincipal | ApiKeyPrincipal;
