// RawInput: the bytes a transport received, with what the transport knows about them.

export interface RawInput {
  /** The exact bytes received; archived unchanged. */
  bytes: Buffer;
  /** Content-Type as sent (may be missing or a lie). */
  contentType: string;
  /** Charset from the transport (HTTP/MIME Content-Type), when given. */
  charset?: string;
  /** How it arrived: "http", "smtp", "imap", "cli", ... */
  transport: string;
  /** When leadgate received it (ISO UTC). */
  receivedAt: string;
  /** Explicit adapter chosen by the caller (POST /v1/leads/{adapter}). */
  adapter?: string;
  /** Dealer named by the transport (credential, intake address); overrides the lead's vendor. */
  dealerId?: string;
  /** Transport-level idempotency key (email Message-ID, Idempotency-Key header). */
  idempotencyKey?: string;
  /** What the transport knows about who sent it: classification signals (delivery.md §5.2). */
  signals?: Signals;
}

/** Envelope facts that identify a source; the transports fill what they know, read.ts adds sender/subject of emails. */
export interface Signals {
  /** The authenticated credential (HTTP) and the provider it was issued to. */
  credential?: { id: string; provider?: string };
  /** Email From address (lower-case). */
  sender?: string;
  subject?: string;
  /** SMTP recipient / intake address. */
  recipient?: string;
  /** Web form key (POST /v1/forms/{key}). */
  form?: string;
}
