export { decodeAuthValue, encodeAuthValue } from "./auth/codec";
export { InMemoryAuthStore } from "./auth/memory-store";
export { type AuthStateOptions, type BaileysAuthState, createAuthState } from "./baileys/auth-state";
export { type BaileysEngineOptions, createBaileysEngine } from "./baileys/engine";
export type { BaileysMediaRef } from "./baileys/inbound";
export * from "./engine";
export { silentLogger } from "./session-events";
