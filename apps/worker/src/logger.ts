// Structured JSON logs (pino). The root logger carries the workerId; domains derive child
// loggers with sessionId / companyId / jobId so every line can be traced to what it concerns.
import pino, { type Logger } from "pino";

export function createLogger(opts: {
  level: string;
  workerId: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: opts.level,
      base: { workerId: opts.workerId, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    opts.destination,
  );
}
