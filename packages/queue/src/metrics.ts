// Queue depth per queue (+ all send-<session> queues aggregated) and the emergency stop.
import type { Queue } from "bullmq";
import { allSharedQueues, type QueueName, sendQueueName } from "./names";
import { emergencyStopKey, type QueueRegistry } from "./queues";

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  paused: boolean;
}

export interface SendQueuesCounts extends Omit<QueueCounts, "paused"> {
  /** Number of per-session send queues known in Redis. */
  queues: number;
  /** How many of them are paused. */
  paused: number;
}

export interface QueueMetrics {
  queues: Record<string, QueueCounts>;
  /** Sum over every send-<sessionId> queue. */
  send: SendQueuesCounts;
  /** Per send queue, only when asked for (`perSession: true`). */
  sendQueues?: Record<string, QueueCounts>;
}

export async function getQueueCounts(queue: Queue): Promise<QueueCounts> {
  const [counts, paused] = await Promise.all([
    queue.getJobCounts("waiting", "prioritized", "active", "delayed", "failed", "completed"),
    queue.isPaused(),
  ]);
  return {
    // "prioritized" jobs are waiting too (BullMQ keeps them in a separate set).
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    completed: counts.completed ?? 0,
    paused,
  };
}

export async function getQueueMetrics(
  reg: QueueRegistry,
  names: readonly QueueName[] = allSharedQueues,
  opts: { perSession?: boolean } = {},
): Promise<QueueMetrics> {
  const shared = await Promise.all(names.map(async (n) => [n, await getQueueCounts(reg.get(n))] as const));
  const sessions = await reg.knownSendSessions();
  const perSession = await Promise.all(
    sessions.map(async (id) => [sendQueueName(id), await getQueueCounts(reg.send(id))] as const),
  );
  const send: SendQueuesCounts = {
    queues: sessions.length,
    paused: 0,
    waiting: 0,
    active: 0,
    delayed: 0,
    failed: 0,
    completed: 0,
  };
  for (const [, c] of perSession) {
    send.waiting += c.waiting;
    send.active += c.active;
    send.delayed += c.delayed;
    send.failed += c.failed;
    send.completed += c.completed;
    if (c.paused) send.paused += 1;
  }
  return {
    queues: Object.fromEntries(shared),
    send,
    ...(opts.perSession ? { sendQueues: Object.fromEntries(perSession) } : {}),
  };
}

async function everyQueue(reg: QueueRegistry): Promise<Queue[]> {
  const sessions = await reg.knownSendSessions();
  return [...allSharedQueues.map((n) => reg.get(n)), ...sessions.map((id) => reg.send(id))];
}

/** Emergency stop: every worker stops taking new jobs from every queue (active ones finish); send
 *  queues first used while stopped start paused. */
export async function pauseAll(reg: QueueRegistry): Promise<number> {
  await reg.connection.set(emergencyStopKey(reg.prefix), new Date().toISOString());
  const queues = await everyQueue(reg);
  await Promise.all(queues.map((q) => q.pause()));
  return queues.length;
}

export async function resumeAll(reg: QueueRegistry): Promise<number> {
  await reg.connection.del(emergencyStopKey(reg.prefix));
  const queues = await everyQueue(reg);
  await Promise.all(queues.map((q) => q.resume()));
  return queues.length;
}

export async function isEmergencyStopped(reg: QueueRegistry): Promise<boolean> {
  return (await reg.connection.exists(emergencyStopKey(reg.prefix))) === 1;
}
