/** Services job handlers may need besides the database; each is optional so tests and tiers pass only theirs. */
import type { DocumentServices } from "../../shared/documents/services.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import type { Mailer } from "../../shared/mail/interface.ts";

/** What `ctx.deps` holds. */
export interface JobDeps {
  /** Storage, embedder and vector store of document ingestion. */
  documents?: DocumentServices;
  /** The shared KV store, for cache-scope version bumps (absent: the database version alone keys caches). */
  kv?: KvStore;
  /** Delivers `mail.send` jobs (SMTP, or the database mailbox by default). */
  mailer?: Mailer;
  /** Sender address of outgoing mail (`MAIL_FROM`). */
  mailFrom?: string;
  /** Retention settings of scheduled maintenance (`CHAT_RETENTION_DAYS`; 0 keeps transcripts forever). */
  retention?: { chatDays: number };
}
