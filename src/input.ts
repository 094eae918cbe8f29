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
}
