// What other apps may use from the worker without running it: the breaker operator service and
// the Redis channel contract of live session updates.
export { type BreakerStats, SessionBreakerService } from "./sessions/breaker-service";
export { sessionKeys } from "./sessions/redis-keys";
export type { SessionUpdate } from "./sessions/status-writer";
