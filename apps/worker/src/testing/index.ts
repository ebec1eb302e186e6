export { createSessionsHarness, type SessionsHarness, type SessionsHarnessOptions } from "./sessions-harness";
export { type SpawnedWorker, spawnWorker } from "./spawn-worker";
export { waitFor } from "./wait";
