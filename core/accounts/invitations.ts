/**
 * Invitations: staff enrol an email that has no account yet. The person gets a link; accepting it creates the
 * account, already enrolled. If they register on their own instead, the invitations wait until that address is
 * verified (a verification link, a reset link or an invitation link proves the mailbox), then apply; an unverified
 * sign-up is never enrolled, since anyone can register any address.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import type { Db } from "../../shared/db/client.ts";
import { courses, enrollments } from "../../shared/db/schema/academics.ts";
import { invitations } from "../../shared/db/schema/accounts.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import type { Role } from "../../shared/identity.ts";
import { queueMail } from "../../shared/mail/outbox.ts";
import { type AuthDeps, hashing, insertUser, type UserRow } from "../auth/accounts.ts";
import { checkPasswordPolicy, hashPassword, normaliseEmail } from "../auth/password.ts";
import { roleProblem } from "../academics/enrollments.ts";
import { hashToken, invalidLink } from "./account_tokens.ts";
import { randomToken } from "../../shared/crypto.ts";
import { tokenLink } from "./mail.ts";
import { mailLimitExceeded } from "./mail_limits.ts";
import { revokeUserTokens } from "../auth/revocation.ts";

/** A row of the invitations table. */
export type InvitationRow = typeof invitations.$inferSelect;

/** What to invite whom to. */
export interface InviteRequest {
  email: string;
  courseId: string | null;
  courseRole: "student" | "instructor";
  /** Shown in the mail. */
  courseTitle?: string;
  inviter: { userId: string; role: Role };
}

/** An invitation was sent, or the mail limits refused it (no invitation was made). */
export type InviteOutcome =
  | { invited: true; invitationId: string; expiresAt: Date }
  | { invited: false; limited: "mail_email" | "mail_source" };

/** Invitations that can still be accepted: not accepted, revoked, withdrawn or expired. */
const pending = () =>
  and(
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
    isNull(invitations.deletedAt),
    gt(invitations.expiresAt, sql`now()`),
  );

/**
 * Invites an email (to a course, or to the platform with `courseId` null) in `tx`. Inviting again refreshes the
 * pending invitation (new link, new expiry) rather than adding one. Instructors are academics, so only admins may
 * invite someone as an instructor. Counts against the mail limits (per address, and per inviter).
 */
export async function inviteByEmail(deps: AuthDeps, tx: Db, request: InviteRequest): Promise<InviteOutcome> {
  const email = normaliseEmail(request.email);
  if (request.courseRole === "instructor" && request.inviter.role !== "ADMIN") {
    throw errors.forbidden("Only admins may invite new academics as instructors");
  }
  const limited = await mailLimitExceeded(deps, {
    email,
    source: `user:${request.inviter.userId}`,
    sourceLimit: deps.env.MAIL_LIMIT_INVITATIONS_PER_USER,
  });
  if (limited) return { invited: false, limited };
  const token = randomToken();
  const values = {
    email,
    platformRole: request.courseRole === "instructor" ? "ACADEMIC" as const : "STUDENT" as const,
    courseId: request.courseId,
    courseRole: request.courseRole,
    invitedBy: request.inviter.userId,
    tokenHash: await hashToken(token),
    expiresAt: new Date(Date.now() + deps.env.INVITATION_TTL_DAYS * 86_400_000),
  };
  const [existing] = await tx.select({ id: invitations.id }).from(invitations).where(and(
    eq(invitations.email, email),
    request.courseId ? eq(invitations.courseId, request.courseId) : isNull(invitations.courseId),
    pending(),
  )).limit(1);
  const [row] = existing
    ? await tx.update(invitations).set(values).where(eq(invitations.id, existing.id)).returning()
    : await tx.insert(invitations).values(values).returning();
  await queueMail(tx, {
    to: email,
    locale: deps.env.MAIL_DEFAULT_LOCALE,
    template: "invitation",
    params: {
      link: tokenLink(deps.env, "accept-invitation", token),
      days: deps.env.INVITATION_TTL_DAYS,
      ...(request.courseTitle ? { course: request.courseTitle } : {}),
    },
    maxAttempts: deps.env.MAIL_MAX_ATTEMPTS,
  });
  await recordAudit(tx, deps.logger, "core", {
    action: "invitation.create",
    userId: request.inviter.userId,
    target: request.courseId ? `course:${request.courseId}` : "platform",
    metadata: { invitationId: row.id, email, courseRole: row.courseRole, refreshed: !!existing },
  });
  return { invited: true, invitationId: row.id, expiresAt: row.expiresAt };
}

/** Applies invitations to an account that proved their address: role, then enrolments. Marks them accepted. */
async function applyInvitations(
  deps: AuthDeps,
  tx: Db,
  user: UserRow,
  rows: InvitationRow[],
): Promise<{ user: UserRow; enrolledCourseIds: string[] }> {
  let current = user;
  const enrolledCourseIds: string[] = [];
  for (const invitation of rows) {
    if (invitation.platformRole === "ACADEMIC" && current.role === "STUDENT") {
      [current] = await tx.update(users).set({ role: "ACADEMIC" }).where(eq(users.id, current.id))
        .returning();
      await recordAudit(tx, deps.logger, "core", {
        action: "user.role_changed",
        userId: invitation.invitedBy,
        target: `user:${current.id}`,
        metadata: { from: "STUDENT", to: "ACADEMIC", via: "invitation", invitationId: invitation.id },
      });
    }
    if (invitation.courseId) {
      const [course] = await tx.select({ id: courses.id }).from(courses)
        .where(and(eq(courses.id, invitation.courseId), isNull(courses.deletedAt))).limit(1);
      if (course && !roleProblem(current.role, invitation.courseRole)) {
        const [row] = await tx.insert(enrollments)
          .values({ userId: current.id, courseId: invitation.courseId, role: invitation.courseRole })
          .onConflictDoNothing().returning({ id: enrollments.id });
        if (row) enrolledCourseIds.push(invitation.courseId);
      }
    }
    await tx.update(invitations).set({
      acceptedAt: invitation.acceptedAt ?? new Date(),
      acceptedBy: current.id,
    })
      .where(eq(invitations.id, invitation.id));
    await recordAudit(tx, deps.logger, "core", {
      action: "invitation.accepted",
      userId: current.id,
      target: invitation.courseId ? `course:${invitation.courseId}` : "platform",
      metadata: {
        invitationId: invitation.id,
        enrolled: enrolledCourseIds.includes(invitation.courseId ?? ""),
      },
    });
  }
  return { user: current, enrolledCourseIds };
}

/** Applies every pending invitation of a verified address to its account (called when the address is proved). */
export async function applyPendingInvitations(deps: AuthDeps, tx: Db, user: UserRow): Promise<string[]> {
  const rows = await tx.select().from(invitations).where(and(eq(invitations.email, user.email), pending()));
  return (await applyInvitations(deps, tx, user, rows)).enrolledCourseIds;
}

/** How accepting went: a new account, an account taken back from an unverified sign-up, or an existing one. */
export interface AcceptOutcome {
  user: UserRow;
  enrolledCourseIds: string[];
  /** `created` and `reclaimed` sign the person in; `existing` asks them to sign in as usual. */
  account: "created" | "reclaimed" | "existing";
}

/**
 * Accepts an invitation with its link (once, before it expires). No account for the address: one is made with the
 * given password, verified, already enrolled. A verified account: enrolled, no password needed (they sign in as
 * usual). An unverified account (someone registered the address but never proved it): the link proves the
 * mailbox, so the invited person takes it over: their password replaces the old one and its sessions end.
 */
export async function acceptInvitation(
  deps: AuthDeps,
  input: { token: string; password?: string; displayName?: string },
): Promise<AcceptOutcome> {
  return await deps.database.db.transaction(async (tx) => {
    const [claimed] = await tx.update(invitations).set({ acceptedAt: new Date() })
      .where(and(eq(invitations.tokenHash, await hashToken(input.token)), pending())).returning();
    if (!claimed) throw invalidLink();
    const others = await tx.select().from(invitations).where(
      and(eq(invitations.email, claimed.email), pending()),
    );
    const [existing] = await tx.select().from(users)
      .where(and(eq(users.email, claimed.email), isNull(users.deletedAt))).limit(1);
    const needPassword = async () => {
      if (!input.password) {
        throw new AppError(ErrorCode.BAD_REQUEST, "Choose a password to create your account", {
          details: { passwordRequired: true },
        });
      }
      checkPasswordPolicy(input.password, claimed.email, deps.env.PASSWORD_MIN_LENGTH);
      return await hashPassword(input.password, hashing(deps));
    };
    let user: UserRow;
    let account: AcceptOutcome["account"];
    if (!existing) {
      user = await insertUser(tx, {
        email: claimed.email,
        passwordHash: await needPassword(),
        role: claimed.platformRole,
        emailVerified: true,
        displayName: input.displayName ?? null,
      });
      await recordAudit(tx, deps.logger, "core", {
        action: "auth.register",
        userId: user.id,
        target: `user:${user.id}`,
        metadata: { role: user.role, via: "invitation" },
      });
      account = "created";
    } else if (existing.emailVerified) {
      user = existing;
      account = "existing";
    } else {
      [user] = await tx.update(users).set({ passwordHash: await needPassword(), emailVerified: true })
        .where(eq(users.id, existing.id)).returning();
      await revokeUserTokens(deps, user.id, { reason: "account_reclaimed", db: tx });
      await recordAudit(tx, deps.logger, "core", {
        action: "auth.account_reclaimed",
        userId: user.id,
        target: `user:${user.id}`,
        metadata: { via: "invitation", invitationId: claimed.id },
      });
      account = "reclaimed";
    }
    const applied = await applyInvitations(deps, tx, user, [claimed, ...others]);
    return { user: applied.user, enrolledCourseIds: applied.enrolledCourseIds, account };
  });
}

/**
 * The academics module's way to invite an unknown email to a course, as `caller`: invitations and their mail
 * belong to accounts; returns null when the mail limits refused it (an instructor invitation by a non-admin is 403).
 */
export function courseInviter(deps: AuthDeps, caller: { userId: string; role: Role }) {
  return async (
    tx: Db,
    request: { email: string; courseId: string; courseTitle: string; role: "student" | "instructor" },
  ): Promise<{ invitationId: string; expiresAt: Date } | null> => {
    const outcome = await inviteByEmail(deps, tx, {
      email: request.email,
      courseId: request.courseId,
      courseRole: request.role,
      courseTitle: request.courseTitle,
      inviter: caller,
    });
    return outcome.invited ? { invitationId: outcome.invitationId, expiresAt: outcome.expiresAt } : null;
  };
}
