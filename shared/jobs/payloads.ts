/**
 * The payload of every job type, as zod schemas: the one contract between whoever enqueues a job (core) and the
 * worker that runs it. Add a job type here first, then its handler in `workers/jobs/handlers/`.
 */
import { z } from "zod";

/** `notifications.deliver`: show one in-app notification to one user. */
export const NotificationDeliverPayload = z.object({
  userId: z.uuid(),
  kind: z.string().min(1).max(100),
  title: z.string().min(1).max(300),
  body: z.string().max(5000).default(""),
  data: z.record(z.string(), z.unknown()).default({}),
});

// Documents
/** `documents.ingest`: extract, chunk, embed and index one uploaded document. */
export const DocumentIngestPayload = z.object({ documentId: z.uuid() });

/** `documents.purge`: remove a soft-deleted document's chunks, vectors and stored bytes. */
export const DocumentPurgePayload = z.object({ documentId: z.uuid() });
// --- exams ---
/** `exams.generate`: writes the items of an exam in status `generating` from its course's chunks. */
export const ExamGeneratePayload = z.object({ examId: z.uuid() });
/** `exams.grade`: grades one submitted attempt (objective items exactly, short answers by model or similarity). */
export const ExamGradePayload = z.object({ attemptId: z.uuid() });
/** `exams.autosubmit`: submits an attempt still open at its deadline with what was saved (enqueued at start). */
export const ExamAutosubmitPayload = z.object({ attemptId: z.uuid() });
/** `exams.regenerate_item`: writes a new version of one item of a draft, testing a fact no other item tests. */
export const ExamRegenerateItemPayload = z.object({ examId: z.uuid(), itemId: z.uuid() });

/** `mail.send`: delivers one stored message of `mail_messages`. */
export const MailSendPayload = z.object({ messageId: z.uuid() });
/** Scheduled maintenance (see `shared/jobs/schedules.ts`); `slot` is the schedule time that enqueued it. */
export const MaintenancePayload = z.object({ slot: z.string().optional() });
// Golden sets
/** `golden.run`: evaluates a course's golden questions (retrieval and tutor) and compares with the previous run. */
export const GoldenRunPayload = z.object({ runId: z.uuid() });

/** Payload schema per job type. */
export const jobPayloads = {
  "notifications.deliver": NotificationDeliverPayload,
  // Documents
  "documents.ingest": DocumentIngestPayload,
  "documents.purge": DocumentPurgePayload,
  // exams
  "exams.generate": ExamGeneratePayload,
  "exams.grade": ExamGradePayload,
  "exams.autosubmit": ExamAutosubmitPayload,
  "exams.regenerate_item": ExamRegenerateItemPayload,
  // Accounts: mail and scheduled maintenance
  "mail.send": MailSendPayload,
  "maintenance.chat_retention": MaintenancePayload,
  "maintenance.expire_tokens": MaintenancePayload,
  // Golden sets
  "golden.run": GoldenRunPayload,
} as const;

/** A job type the system knows. */
export type JobType = keyof typeof jobPayloads;

/** The payload a job type takes (before defaults apply). */
export type JobPayloadInput<T extends JobType> = z.input<typeof jobPayloads[T]>;

/** The payload a handler receives (validated, defaults applied). */
export type JobPayload<T extends JobType> = z.output<typeof jobPayloads[T]>;

/** Every known job type, for validation of filters and routes. */
export const JOB_TYPES = Object.keys(jobPayloads) as JobType[];

/** Whether a string names a known job type. */
export function isJobType(value: string): value is JobType {
  return Object.hasOwn(jobPayloads, value);
}
