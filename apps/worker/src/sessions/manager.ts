// The sessions this worker owns. Commands (from lifecycle jobs, the control channel or the
// reconciler) are serialised per session; ownership is a Redis lease taken before any socket
// opens, so two workers — or two jobs on one worker — never run the same session twice.
import { type PrismaClient, SessionDesiredState, SessionStatus } from "@zapflow/db";
import type { createRedisConnection } from "@zapflow/queue";
import type { WhatsappEngine } from "@zapflow/whatsapp";
import type { Logger } from "pino";
import { EventOutbox } from "../events/outbox";
import type { SessionBus } from "../session-bus";
import { PostgresAuthStore } from "./auth-store";
import { ControlChannel, type ControlCommand } from "./control";
import { KeyedLock } from "./keyed-lock";
import { LeaseManager } from "./lease";
import { type PoolStats, SessionPool } from "./pool";
import { SessionRunner, type SessionSettings } from "./runner";
import { StatusWriter } from "./status-writer";

type RedisClient = ReturnType<typeof createRedisConnection>;

export interface SessionManagerSettings extends SessionSettings {
  maxSessions: number;
  leaseMs: number;
  statusDebounceMs: number;
}

export interface SessionManagerDeps {
  engine: WhatsappEngine;
  prisma: PrismaClient;
  /** Worker-kind connection (commands wait out Redis outages). */
  redis: RedisClient;
  prefix: string;
  workerId: string;
  logger: Logger;
  bus: SessionBus;
  settings: SessionManagerSettings;
  engineLogLevel?: string;
  hooks?: { onReconnect?: (sessionId: string) => void; onLeaseLost?: (sessionId: string) => void };
}

export type StartOutcome =
  | "started"
  | "already-running"
  | "owned-elsewhere"
  | "pool-full"
  | "not-found"
  | "not-desired";
export type CommandOutcome = "done" | "forwarded" | "not-running";

/** The owner holds a lease but does not listen (crashed): retry once its lease has lapsed. */
export class OwnerUnreachableError extends Error {
  constructor(sessionId: string, owner: string) {
    super(
      `Session ${sessionId} is leased by worker ${owner}, which does not answer; retry after the lease lapses`,
    );
    this.name = "OwnerUnreachableError";
  }
}

export class SessionManager {
  readonly pool: SessionPool;
  readonly leases: LeaseManager;
  readonly status: StatusWriter;
  readonly control: ControlChannel;
  private readonly runners = new Map<string, SessionRunner>();
  private readonly lock = new KeyedLock();
  private readonly log: Logger;
  private stopping = false;
  /** Called when leases were released somewhere (set by the reconciler). */
  onReleased: () => void = () => {};

  constructor(private readonly deps: SessionManagerDeps) {
    const { redis, prefix, workerId, settings, logger } = deps;
    this.log = logger.child({ component: "sessions" });
    this.pool = new SessionPool(settings.maxSessions);
    this.status = new StatusWriter({
      prisma: deps.prisma,
      outbox: new EventOutbox(deps.prisma),
      redis,
      prefix,
      workerId,
      debounceMs: settings.statusDebounceMs,
      logger: this.log,
    });
    this.leases = new LeaseManager({
      redis,
      prefix,
      workerId,
      leaseMs: settings.leaseMs,
      onLost: (id) => this.onLeaseLost(id),
      onRenewed: (ids, expiresAt) => void this.mirrorLeases(ids, expiresAt),
      onError: (error) => this.log.warn({ err: error }, "lease renewal failed"),
    });
    this.control = new ControlChannel({
      redis,
      prefix,
      workerId,
      onCommand: (command) => void this.onControl(command),
      onReleased: () => {
        if (!this.stopping) this.onReleased();
      },
      onError: (error) => this.log.warn({ err: error }, "session control channel error"),
    });
  }

  async start(): Promise<void> {
    await this.control.start();
    this.leases.start();
  }

  get workerId(): string {
    return this.deps.workerId;
  }

  isLocal(sessionId: string): boolean {
    return this.runners.has(sessionId);
  }

  isBusy(sessionId: string): boolean {
    return this.lock.isBusy(sessionId);
  }

  runner(sessionId: string): SessionRunner | undefined {
    return this.runners.get(sessionId);
  }

  localRunners(): SessionRunner[] {
    return [...this.runners.values()];
  }

  poolStats(): PoolStats {
    return this.pool.stats();
  }

  /** Start (or keep) the session on this worker. `pairingPhone` asks for a pairing code instead of a QR. */
  startSession(sessionId: string, pairingPhone?: string): Promise<StartOutcome> {
    return this.lock.run(sessionId, () => this.startLocked(sessionId, pairingPhone));
  }

  stopSession(sessionId: string): Promise<CommandOutcome> {
    return this.command({ action: "stop", sessionId });
  }

  logoutSession(sessionId: string): Promise<CommandOutcome> {
    return this.command({ action: "logout", sessionId });
  }

  restartSession(sessionId: string): Promise<CommandOutcome> {
    return this.command({ action: "restart", sessionId });
  }

  requestPairingCode(sessionId: string, phone: string): Promise<CommandOutcome> {
    return this.command({ action: "pairing-code", sessionId, phone });
  }

  /** Runs a command here when this worker owns the session, forwards it to the owner otherwise,
   *  and falls back to acting on the row when nobody owns it. */
  async command(command: ControlCommand): Promise<CommandOutcome> {
    const { sessionId } = command;
    const local = await this.lock.run(sessionId, async () => {
      const runner = this.runners.get(sessionId);
      if (!runner) return false;
      await this.applyLocally(runner, command);
      return true;
    });
    if (local) return "done";
    const owner = await this.leases.owner(sessionId);
    if (owner && owner !== this.deps.workerId) {
      if (await this.control.send(owner, command)) return "forwarded";
      throw new OwnerUnreachableError(sessionId, owner);
    }
    return this.withoutOwner(command);
  }

  /** SIGTERM: close every socket without logging out, then give the leases up at once. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.leases.stop();
    await this.status.flushAll().catch((error) => this.log.warn({ err: error }, "status flush failed"));
    const runners = [...this.runners.values()];
    await Promise.allSettled(
      runners.map((runner) => this.lock.run(runner.sessionId, () => runner.handOver())),
    );
    if (runners.length) await this.control.announceReleased().catch(() => undefined);
    await this.control.stop();
  }

  // ---- internals ---------------------------------------------------------------------------

  private async startLocked(sessionId: string, pairingPhone?: string): Promise<StartOutcome> {
    const existing = this.runners.get(sessionId);
    if (existing) {
      if (pairingPhone) await existing.requestPairingCode(pairingPhone);
      return "already-running";
    }
    if (this.stopping) return "pool-full";
    const wanted = await this.deps.prisma.whatsappSession.findUnique({
      where: { id: sessionId },
      select: { desiredState: true },
    });
    if (!wanted) return "not-found";
    if (wanted.desiredState !== SessionDesiredState.CONNECTED) return "not-desired";
    if (!this.pool.tryAcquire(sessionId)) return "pool-full";
    let started = false;
    try {
      if (!(await this.leases.acquire(sessionId))) return "owned-elsewhere";
      const row = await this.deps.prisma.whatsappSession.update({
        where: { id: sessionId },
        data: {
          ownerWorkerId: this.deps.workerId,
          leaseExpiresAt: new Date(Date.now() + this.deps.settings.leaseMs),
        },
        select: {
          id: true,
          companyId: true,
          pairedAt: true,
          breakerState: true,
          consecutiveFailures: true,
          breakerOpenedAt: true,
        },
      });
      const runner = new SessionRunner(
        {
          engine: this.deps.engine,
          prisma: this.deps.prisma,
          bus: this.deps.bus,
          status: this.status,
          logger: this.deps.logger,
          settings: this.deps.settings,
          engineLogLevel: this.deps.engineLogLevel,
          onFinished: (r) => this.onRunnerFinished(r),
          onReconnect: this.deps.hooks?.onReconnect,
        },
        row,
      );
      this.runners.set(sessionId, runner);
      started = true;
      this.log.info({ sessionId, companyId: row.companyId }, "session started on this worker");
      await runner.start(pairingPhone);
      return "started";
    } catch (error) {
      if (isRecordNotFound(error)) return "not-found";
      throw error;
    } finally {
      if (!started) await this.giveUp(sessionId);
    }
  }

  /** Undo a start that did not happen: lease (if taken) and slot. */
  private async giveUp(sessionId: string): Promise<void> {
    await this.leases.release(sessionId).catch(() => undefined);
    this.releaseSlot(sessionId);
  }

  private async applyLocally(runner: SessionRunner, command: ControlCommand): Promise<void> {
    switch (command.action) {
      case "stop":
        return runner.stop("Stopped by request");
      case "logout":
        return runner.logout();
      case "restart":
        return runner.restart();
      case "pairing-code":
        return runner.requestPairingCode(command.phone);
    }
  }

  private async withoutOwner(command: ControlCommand): Promise<CommandOutcome> {
    const { sessionId } = command;
    switch (command.action) {
      case "restart":
        await this.startSession(sessionId);
        return "done";
      case "pairing-code":
        await this.startSession(sessionId, command.phone);
        return "done";
      case "stop":
      case "logout": {
        const row = await this.deps.prisma.whatsappSession.findUnique({
          where: { id: sessionId },
          select: { companyId: true, status: true },
        });
        if (!row) return "not-running";
        if (command.action === "logout") {
          await new PostgresAuthStore(this.deps.prisma, sessionId, { cacheMax: 0 }).clear();
        }
        const status = command.action === "logout" ? SessionStatus.LOGGED_OUT : SessionStatus.DISCONNECTED;
        if (row.status !== status) {
          await this.status.set(sessionId, row.companyId, {
            status,
            reason:
              command.action === "logout" ? "Logged out by request (no live socket)" : "Stopped by request",
            patch: {
              desiredState: SessionDesiredState.DISCONNECTED,
              qrCode: null,
              qrExpiresAt: null,
              pairingCode: null,
              pairingCodeExpiresAt: null,
              ...(command.action === "logout" ? { pairedAt: null, connectedAt: null } : {}),
            },
          });
          this.status.forget(sessionId);
        }
        return "not-running";
      }
    }
  }

  private async onControl(command: ControlCommand): Promise<void> {
    const runner = this.runners.get(command.sessionId);
    if (!runner) {
      this.log.warn(
        { sessionId: command.sessionId, action: command.action },
        "control command for a session not owned here",
      );
      return;
    }
    await this.lock
      .run(command.sessionId, () => this.applyLocally(runner, command))
      .catch((error) =>
        this.log.error({ err: error, sessionId: command.sessionId }, "control command failed"),
      );
  }

  private async onRunnerFinished(runner: SessionRunner): Promise<void> {
    if (this.runners.get(runner.sessionId) !== runner) return;
    this.runners.delete(runner.sessionId);
    this.status.forget(runner.sessionId);
    try {
      await this.deps.prisma.whatsappSession.updateMany({
        where: { id: runner.sessionId, ownerWorkerId: this.deps.workerId },
        data: { ownerWorkerId: null, leaseExpiresAt: null },
      });
      await this.leases.release(runner.sessionId);
    } catch (error) {
      this.log.warn({ err: error, sessionId: runner.sessionId }, "releasing a finished session failed");
    } finally {
      this.releaseSlot(runner.sessionId);
    }
  }

  private onLeaseLost(sessionId: string): void {
    const runner = this.runners.get(sessionId);
    this.log.warn({ sessionId }, "session lease lost: closing its socket");
    this.deps.hooks?.onLeaseLost?.(sessionId);
    if (!runner) return;
    this.runners.delete(sessionId);
    runner.abort("lease lost");
    this.releaseSlot(sessionId);
  }

  private releaseSlot(sessionId: string): void {
    const next = this.pool.release(sessionId);
    if (next && !this.stopping) {
      void this.startSession(next).catch((error) =>
        this.log.warn({ err: error, sessionId: next }, "starting a waiting session failed"),
      );
    }
  }

  private async mirrorLeases(sessionIds: string[], expiresAt: Date): Promise<void> {
    try {
      await this.deps.prisma.whatsappSession.updateMany({
        where: { id: { in: sessionIds }, ownerWorkerId: this.deps.workerId },
        data: { leaseExpiresAt: expiresAt },
      });
    } catch (error) {
      this.log.warn({ err: error }, "lease mirror write failed");
    }
  }
}

function isRecordNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2025";
}
