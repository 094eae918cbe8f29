// Structured, quiet pino logging: one outcome line per input, and never a customer's data (redaction is only the safety net).
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths that must never reach a log line; the code does not log them, this catches mistakes. */
const REDACT = [
  'body', 'raw.bytes', 'bytes', 'customer', 'lead', 'data', 'email', 'emails', 'phone', 'phones', 'name',
  '*.customer', '*.email', '*.emails', '*.phone', '*.phones', '*.name', '*.body', '*.password', 'password',
  'kafka.sasl.password', 'headers.authorization', 'headers.cookie',
];

export function createLogger(opts: { level?: string; destination?: DestinationStream | number } = {}): Logger {
  const dest = opts.destination ?? 1;
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { service: 'leadgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    typeof dest === 'number' ? pino.destination({ dest, sync: false }) : dest,
  );
}

/** A logger that drops everything (library use and tests that do not inspect logs). */
export const silentLogger: Logger = pino({ level: 'silent' });
