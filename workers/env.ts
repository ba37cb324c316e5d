import { z } from "zod";
import { databaseEnv } from "../shared/db/env.ts";
import { envTypes, loadEnvOrExit } from "../shared/env.ts";
import { ragEnv } from "../shared/rag/env.ts";
import { documentsEnv } from "../shared/documents/env.ts";
import { kvEnvFields } from "../shared/kv/mod.ts";
import { tutorEnv } from "../shared/tutor/env.ts";
import { mailEnv } from "../shared/mail/env.ts";

/** Configuration of the workers tier; nothing else in workers reads `Deno.env`. */
export const workersEnvSchema = z.object({
  WORKERS_PORT: envTypes.port(8082),
  /** Loopback unless set: only the edge (and QStash, for workers) should reach this tier; containers set 0.0.0.0. */
  WORKERS_HOSTNAME: z.string().default("127.0.0.1"),
  LOG_LEVEL: envTypes.logLevel(),
  TRUST_REQUEST_ID: envTypes.bool(true),
  BODY_LIMIT_BYTES: envTypes.int(1_048_576, 1024),
  /** `auto` picks QStash when QSTASH_TOKEN is set, else the embedded queue in the database. */
  JOB_TRANSPORT: z.enum(["auto", "embedded", "qstash"]).default("auto"),
  /** Attempts per job (for jobs enqueued without their own limit) before it is `dead`. */
  JOB_MAX_ATTEMPTS: envTypes.int(5, 1),
  /**
   * QStash: times a job QStash gave up on (with attempts left) is put back for a new message; the next give-up
   * makes it `dead`, so a job no worker can claim cannot cycle forever. A job held under a live lease is put back.
   */
  JOB_MAX_REQUEUES: envTypes.int(5, 0),
  /** How long a running job is held; a worker that stops answering loses it after this. Extended while it runs. */
  JOB_LEASE_MS: envTypes.int(60_000, 100),
  /** Embedded queue: pause between claims when nothing was due. QStash: pause between outbox scans. */
  JOB_POLL_MS: envTypes.int(1000, 10),
  /** Embedded queue: jobs this process runs at once. */
  JOB_CONCURRENCY: envTypes.int(4, 1),
  /** Backoff before the second attempt (ceiling; full jitter), doubling per attempt up to JOB_BACKOFF_MAX_MS. */
  JOB_BACKOFF_BASE_MS: envTypes.int(2000, 1),
  JOB_BACKOFF_MAX_MS: envTypes.int(3_600_000, 1),
  /** Time given to running jobs on shutdown before the process exits (their leases then run out). */
  JOB_SHUTDOWN_GRACE_MS: envTypes.int(10_000, 0),
  /** QStash REST endpoint; the default is Upstash's global one. */
  QSTASH_URL: z.url().default("https://qstash.upstash.io"),
  QSTASH_TOKEN: z.string().optional(),
  /** Both keys verify `Upstash-Signature` on deliveries (the next key covers a key rotation). */
  QSTASH_CURRENT_SIGNING_KEY: z.string().optional(),
  QSTASH_NEXT_SIGNING_KEY: z.string().optional(),
  /** Where QStash reaches this tier (no trailing slash); deliveries go to `${WORKERS_PUBLIC_URL}/jobs/<type>`. */
  WORKERS_PUBLIC_URL: z.url().transform((u) => u.replace(/\/+$/, "")).optional(),
  ...databaseEnv,
  /** Embeddings and vector store; core (search) and workers (ingestion) must agree. */
  ...ragEnv,
  /** Document storage and chunking (ingestion reads what core's uploads stored). */
  ...documentsEnv,
  /** The KV store shared with core and the edge: ingestion bumps search-cache scope versions in it. */
  ...kvEnvFields,
  /** Exams: generation and short-answer grading use the tutor's model when TUTOR_MODEL=openai. */
  ...tutorEnv,
  /** Outgoing mail: SMTP_URL (unset: the database mailbox), MAIL_FROM, MAIL_DEV_MAILBOX. */
  ...mailEnv,
  /** Days an idle chat session's transcript is kept before the retention job clears it; 0 keeps it forever. */
  CHAT_RETENTION_DAYS: envTypes.int(0, 0),
  /** Run the scheduled jobs from an in-process scheduler (embedded default); off when QStash schedules them. */
  SCHEDULER: z.enum(["auto", "in-process", "off"]).default("auto"),
}).superRefine((env, ctx) => {
  const qstash = env.JOB_TRANSPORT === "qstash" || (env.JOB_TRANSPORT === "auto" && env.QSTASH_TOKEN);
  if (!qstash) return;
  for (
    const name of [
      "QSTASH_TOKEN",
      "QSTASH_CURRENT_SIGNING_KEY",
      "QSTASH_NEXT_SIGNING_KEY",
      "WORKERS_PUBLIC_URL",
    ]
  ) {
    if (!env[name as keyof typeof env]) {
      ctx.addIssue({ code: "custom", path: [name], message: "is required when jobs go through QStash" });
    }
  }
});

/** Parsed workers configuration. */
export type WorkersEnv = z.infer<typeof workersEnvSchema>;

/** Which transport the configuration selects. */
export function jobTransportOf(
  env: Pick<WorkersEnv, "JOB_TRANSPORT" | "QSTASH_TOKEN">,
): "embedded" | "qstash" {
  if (env.JOB_TRANSPORT === "auto") return env.QSTASH_TOKEN ? "qstash" : "embedded";
  return env.JOB_TRANSPORT;
}

/** Reads workers configuration, stopping the process with a message that names any bad variable. */
export function loadWorkersEnv(source?: Record<string, string | undefined>): WorkersEnv {
  return loadEnvOrExit(workersEnvSchema, source);
}
