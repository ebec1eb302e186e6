// One outbound message, on its session's send queue (concurrency 1, owner worker only).
// Re-read → skip/expire → rate limits (held back without spending an attempt) → human pacing →
// PROCESSING → engine send with the reserved id → SENT; errors → FAILED / retry / DEAD_LETTERED.
import { type Message, MessageStatus, messageSql, type PrismaClient, pgPoolOf } from "@zapflow/db";
import type { MediaStorage } from "@zapflow/db/storage";
import {
  cappedExponentialDelay,
  holdBack,
  type MessageSendJob,
  type PolicyCache,
  type RateLimiter,
  RateLimitKind,
} from "@zapflow/queue";
import { SendError } from "@zapflow/whatsapp";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import type { CompanyPolicy } from "../limits/policy-loader";
import type { BanSignals } from "./ban-signals";
import { Coalescer } from "./coalescer";
import { outboundContent, typingDurationMs, UnsendableContentError } from "./content";
import type { MessageMetrics } from "./metrics";
import { FINAL_OUTBOUND, type SendOutcomes, withAttemptError } from "./send-outcomes";
import type { SessionSender } from "./session-sender";

export interface SendProcessorDeps {
  prisma: PrismaClient;
  /** Claims of every session's current job, coalesced into one statement (see createClaims). */
  claims: Coalescer<{ id: string; sessionId: string }, Message | undefined>;
  outcomes: SendOutcomes;
  policies: PolicyCache<CompanyPolicy>;
  limiter: RateLimiter;
  storage: MediaStorage;
  banSignals: BanSignals;
  metrics: MessageMetrics;
  logger: Logger;
  sendTimeoutMs: number;
}

export type SendOutcome = "sent" | "skipped" | "expired";

/** Re-read and claim (one statement for all the claims made at the same moment): an open, unexpired
 *  row of the job's session becomes PROCESSING; anything else resolves to undefined. */
export function createClaims(prisma: PrismaClient, expiryMs: number): SendProcessorDeps["claims"] {
  return new Coalescer(async (messages) => {
    const now = Date.now();
    const rows = await messageSql.claim(pgPoolOf(prisma), {
      messages,
      queuedSince: new Date(now - expiryMs),
      at: new Date(now),
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return messages.map((m) => byId.get(m.id));
  });
}

const DAY_MS = 86_400_000;
const HOLD_RECHECK_MS = 2_000;

function readableError(err: unknown): { message: string; code?: string } {
  if (err instanceof SendError) return { message: err.message, code: err.kind };
  if (err instanceof UnsendableContentError) return { message: err.message, code: err.code };
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}

export async function processSend(
  deps: SendProcessorDeps,
  sender: SessionSender,
  data: MessageSendJob,
  job: Job,
  token: string | undefined,
): Promise<SendOutcome> {
  const { outcomes, metrics } = deps;
  // Re-read and claim in one statement: only an open, unexpired row of this session is sent.
  const row = await deps.claims.add({ id: data.messageId, sessionId: sender.sessionId });
  if (!row) return skipOrExpire(deps, sender, data.messageId);

  await applyLimits(deps, sender, row, job, token);
  await sender.pace();
  const attempt = row.attempts;

  const started = performance.now();
  try {
    const content = await outboundContent(row, deps.storage);
    await sender.engine.send({
      to: row.chatJid,
      messageId: row.waMessageId,
      content,
      typingMs: sender.policy?.policy.typingPresence ? typingDurationMs(content) : 0,
      timeoutMs: deps.sendTimeoutMs,
    });
    metrics.sendLatency.observe((performance.now() - started) / 1000);
    sender.afterSend();
    await outcomes.markSent(row);
    metrics.outcome("outbound", MessageStatus.SENT);
    deps.banSignals.record(sender.sessionId, false);
    return "sent";
  } catch (err) {
    sender.afterSend();
    await handleFailure(deps, sender, row, attempt, { data, job }, err);
    throw err; // unreachable: handleFailure always throws
  }
}

async function skipOrExpire(
  deps: SendProcessorDeps,
  sender: SessionSender,
  messageId: string,
): Promise<SendOutcome> {
  const row = await messageSql.find(pgPoolOf(deps.prisma), messageId, sender.sessionId);
  if (!row || FINAL_OUTBOUND.includes(row.status)) return "skipped"; // already done, cancelled, or not ours
  await deps.outcomes.markExpired(row);
  deps.metrics.outcome("outbound", MessageStatus.EXPIRED);
  return "expired";
}

async function applyLimits(
  deps: SendProcessorDeps,
  sender: SessionSender,
  row: Message,
  job: Job,
  token: string | undefined,
): Promise<void> {
  const company = await deps.policies.get(row.companyId);
  sender.policy = company;
  const result = await deps.limiter.tryAcquire({
    companyId: row.companyId,
    sessionId: sender.sessionId,
    contactKey: row.chatJid,
    numberAgeDays: sender.pairedAt ? (Date.now() - sender.pairedAt.getTime()) / DAY_MS : 0,
    policy: company.policy,
    timeZone: company.timeZone,
  });
  if (result.allowed) return;
  // Held back: hand the claim back, the attempt was not made.
  await deps.prisma.message.updateMany({
    where: { id: row.id, status: MessageStatus.PROCESSING },
    data: { status: MessageStatus.QUEUED, attempts: { decrement: 1 } },
  });
  // Re-checked at least every HOLD_RECHECK_MS so a raised limit applies within seconds.
  const wait = Math.min(result.retryAfterMs, HOLD_RECHECK_MS);
  deps.metrics.holdBacks.inc({ limit: result.limit });
  deps.logger.debug(
    { messageId: row.id, sessionId: sender.sessionId, ...result },
    "send held back by a limit",
  );
  // A contact's interval only concerns that chat: delay this job, let other chats go on.
  if (result.limit === RateLimitKind.contactInterval) await holdBack(job, token, wait);
  // Number/company windows and quiet hours hold the whole number: pause its queue (order kept,
  // the job returns to the head of its priority; no attempt spent).
  await sender.worker().rateLimit(wait);
  throw Worker.RateLimitError();
}

async function handleFailure(
  deps: SendProcessorDeps,
  sender: SessionSender,
  row: Message,
  attempt: number,
  { data, job }: { data: MessageSendJob; job: Job },
  err: unknown,
): Promise<never> {
  const { outcomes, metrics, logger } = deps;
  const { message, code } = readableError(err);
  const errors = withAttemptError(row, { attempt, at: new Date().toISOString(), error: message, code });
  const log = { messageId: row.id, sessionId: sender.sessionId, companyId: row.companyId, attempt, code };
  const banSignal = err instanceof SendError && (err.kind === "restricted" || err.kind === "rate_limited");
  // Only WhatsApp's answers count towards the failure rate (not our DB or a closed socket).
  const fromWhatsapp = err instanceof SendError && err.kind !== "not_connected";
  const rateReason = fromWhatsapp ? deps.banSignals.record(sender.sessionId, true) : undefined;
  if (banSignal || rateReason) {
    await deps.banSignals.pause(
      sender.sessionId,
      row.companyId,
      banSignal ? `WhatsApp: ${message}` : (rateReason as string),
    );
  }

  if ((err instanceof SendError && err.permanent) || err instanceof UnsendableContentError) {
    await outcomes.markFailed(row, errors, message);
    metrics.outcome("outbound", MessageStatus.FAILED);
    logger.warn({ ...log, err: message }, "send failed permanently");
    throw new UnrecoverableError(message);
  }
  const retries = (data.retries ?? 0) + 1;
  if (retries >= (job.opts.attempts ?? 1)) {
    await outcomes.markDeadLettered(row, errors, message);
    metrics.outcome("outbound", MessageStatus.DEAD_LETTERED);
    logger.warn({ ...log, err: message }, "send dead-lettered");
    throw new UnrecoverableError(message);
  }
  await outcomes.markRetrying(row, errors, message);
  // Retry after the backoff with the number's whole queue held and this job back at the head of its
  // priority: later messages to the same chat must not overtake it (BullMQ's own retry would park it
  // in the delayed set and let them through). Held jobs spend no BullMQ attempt; `retries` counts.
  const wait = retryDelayMs(job, retries);
  logger.info({ ...log, err: message, retryInMs: wait }, "send failed, will retry");
  await job.updateData({ ...data, retries });
  await sender.worker().rateLimit(wait);
  throw Worker.RateLimitError();
}

/** Exponential from the job's backoff delay, uncapped: 2, 4, 8, 16 s with the default send options. */
function retryDelayMs(job: Job, retries: number): number {
  const backoff = job.opts.backoff;
  const base = typeof backoff === "object" && backoff.delay ? backoff.delay : 2_000;
  return cappedExponentialDelay(retries, base, Number.POSITIVE_INFINITY);
}
