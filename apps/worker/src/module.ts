// Each domain (sessions, messages, contacts, campaigns, maintenance) plugs into the worker
// process as a module: started in order, stopped in reverse on shutdown.
import type { WorkerContext } from "./context";

export interface WorkerModule {
  readonly name: string;
  start(ctx: WorkerContext): Promise<void>;
  /** Stop taking jobs, let active ones finish, release resources. Must be idempotent. */
  stop(): Promise<void>;
  /** Optional health contribution; false marks the worker unhealthy. */
  healthy?(): boolean | Promise<boolean>;
}
