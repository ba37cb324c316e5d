import assert from "node:assert/strict";
import { and, eq, isNull } from "drizzle-orm";
import { enrollments } from "../../shared/db/schema/academics.ts";
import { invitations } from "../../shared/db/schema/accounts.ts";
import { refreshTokens } from "../../shared/db/schema/identity.ts";
import { users } from "../../shared/db/schema/users.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createTestStack } from "../../testing/stack.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { tokenFromMail } from "../accounts/testing.ts";
import { createTestUser } from "../auth/testing.ts";
import { createCoreApp } from "../app.ts";
import { testCoreServices } from "../auth/testing.ts";
import { callerHeaders } from "../auth/testing.ts";

const json = { "content-type": "application/json" };
const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...json, ...headers },
  body: JSON.stringify(body),
});

async function enrolledIn(database: Parameters<Parameters<typeof dbTest>[1]>[0], email: string) {
  return await database.db.select({ courseId: enrollments.courseId, role: enrollments.role }).from(
    enrollments,
  )
    .innerJoin(users, eq(users.id, enrollments.userId))
    .where(and(eq(users.email, email), isNull(users.deletedAt), isNull(enrollments.deletedAt)));
}

dbTest(
  "[edge] enrolling an unknown email invites it; accepting creates the account already enrolled",
  async (database) => {
    const stack = createTestStack(database);
    const w = await createAcademicWorld(database);
    const email = `invitee-${crypto.randomUUID()}@test.example`;
    const res = await stack.edge.request(
      `/api/v1/courses/${w.courseA}/enrollments`,
      post({ email }, await stack.bearer(w.academicOwn)),
    );
    assert.equal(res.status, 202);
    assert.equal((await res.json()).invited, true);
    const token = await tokenFromMail(database, email, "invitation");
    // No password: the account cannot be made.
    const bare = await stack.edge.request("/api/v1/auth/invitations/accept", post({ token }));
    assert.equal(bare.status, 400);
    assert.equal((await bare.json()).error.details.passwordRequired, true);
    const accepted = await stack.edge.request(
      "/api/v1/auth/invitations/accept",
      post({ token, password: "a fine passphrase", displayName: "Invitee" }),
    );
    assert.equal(accepted.status, 200);
    const body = await accepted.json();
    assert.equal(body.account, "created");
    assert.deepEqual(body.enrolledCourseIds, [w.courseA]);
    assert.equal(body.user.emailVerified, true);
    const courses = await stack.edge.request("/api/v1/me/courses", {
      headers: { Authorization: `Bearer ${body.session.accessToken}` },
    });
    assert.equal(courses.status, 200);
    assert.ok(JSON.stringify(await courses.json()).includes(w.courseA));
    // The link works once.
    const again = await stack.edge.request(
      "/api/v1/auth/invitations/accept",
      post({ token, password: "a fine passphrase" }),
    );
    assert.equal(again.status, 400);
  },
);

dbTest(
  "[edge] an invited email that registers on its own is enrolled once it verifies the address",
  async (database) => {
    const stack = createTestStack(database);
    const w = await createAcademicWorld(database);
    const email = `self-${crypto.randomUUID()}@test.example`;
    await stack.edge.request(
      `/api/v1/courses/${w.courseA}/enrollments`,
      post({ email }, await stack.bearer(w.academicOwn)),
    );
    const invitationToken = await tokenFromMail(database, email, "invitation");
    const reg = await stack.edge.request(
      "/api/v1/auth/register",
      post({ email, password: "my own passphrase" }),
    );
    assert.equal(reg.status, 201);
    // Registering proves nothing about the mailbox: no enrolment yet.
    assert.deepEqual(await enrolledIn(database, email), []);
    const verifyToken = await tokenFromMail(database, email, "verify_email");
    const verified = await stack.edge.request("/api/v1/auth/verify-email", post({ token: verifyToken }));
    assert.equal(verified.status, 200);
    assert.deepEqual((await verified.json()).enrolledCourseIds, [w.courseA]);
    assert.deepEqual(await enrolledIn(database, email), [{ courseId: w.courseA, role: "student" }]);
    // The invitation was used up by the verification.
    const late = await stack.edge.request(
      "/api/v1/auth/invitations/accept",
      post({ token: invitationToken }),
    );
    assert.equal(late.status, 400);
  },
);

dbTest(
  "[core] accepting an invitation takes an unverified sign-up of that address back from whoever made it",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCoreApp(services);
    const w = await createAcademicWorld(database);
    const squatter = await createTestUser(database);
    const session = await (await app.request(
      "/v1/auth/login",
      post({
        email: squatter.email,
        password: squatter.password,
        refreshTokenInBody: true,
      }),
    )).json();
    const path = `/v1/courses/${w.courseA}/enrollments`;
    // Enrolling an existing (unverified) account enrols it directly, so invite at the platform layer instead.
    const { inviteByEmail } = await import("../accounts/invitations.ts");
    await database.db.transaction((tx) =>
      inviteByEmail(services, tx, {
        email: squatter.email,
        courseId: w.courseA,
        courseRole: "student",
        inviter: { userId: w.admin.id, role: "ADMIN" },
      })
    );
    void path;
    const token = await tokenFromMail(database, squatter.email, "invitation");
    const res = await app.request(
      "/v1/auth/invitations/accept",
      post({ token, password: "the real owner's pass" }),
    );
    assert.equal(res.status, 200);
    assert.equal((await res.json()).account, "reclaimed");
    const [row] = await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, squatter.id));
    assert.ok(row.revokedAt, "the squatter's sessions end");
    const renewed = await app.request("/v1/auth/refresh", post({ refreshToken: session.refreshToken }));
    assert.equal(renewed.status, 401);
    assert.equal(
      (await app.request("/v1/auth/login", post({ email: squatter.email, password: squatter.password })))
        .status,
      401,
    );
    assert.equal(
      (await app.request(
        "/v1/auth/login",
        post({ email: squatter.email, password: "the real owner's pass" }),
      )).status,
      200,
    );
  },
);

dbTest(
  "[core] an expired invitation is refused; a verified account accepting is enrolled without a new session",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCoreApp(services);
    const w = await createAcademicWorld(database);
    const { inviteByEmail } = await import("../accounts/invitations.ts");
    const email = `late-${crypto.randomUUID()}@test.example`;
    await database.db.transaction((tx) =>
      inviteByEmail(services, tx, {
        email,
        courseId: w.courseA,
        courseRole: "student",
        inviter: { userId: w.admin.id, role: "ADMIN" },
      })
    );
    const token = await tokenFromMail(database, email, "invitation");
    await database.db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.email, email));
    assert.equal(
      (await app.request("/v1/auth/invitations/accept", post({ token, password: "whatever pass 1" }))).status,
      400,
    );

    const verified = await createTestUser(database);
    await database.db.update(users).set({ emailVerified: true }).where(eq(users.id, verified.id));
    await database.db.transaction((tx) =>
      inviteByEmail(services, tx, {
        email: verified.email,
        courseId: w.courseA,
        courseRole: "student",
        inviter: { userId: w.admin.id, role: "ADMIN" },
      })
    );
    const res = await app.request(
      "/v1/auth/invitations/accept",
      post({ token: await tokenFromMail(database, verified.email, "invitation") }),
    );
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.account, "existing");
    assert.equal(body.session, undefined);
    assert.deepEqual(await enrolledIn(database, verified.email), [{ courseId: w.courseA, role: "student" }]);
  },
);

dbTest(
  "[core] a roster import invites unknown emails, and one address cannot be mailed past its limit",
  async (database) => {
    const services = testCoreServices(database, { env: { MAIL_LIMIT_PER_EMAIL: "1" } });
    const app = createCoreApp(services);
    const w = await createAcademicWorld(database);
    const email = `roster-${crypto.randomUUID()}@test.example`;
    const path = `/v1/courses/${w.courseA}/enrollments/import`;
    const csv = `email,role\n${email},student\n`;
    const send = async () =>
      await app.request(path, {
        method: "POST",
        headers: {
          ...(await callerHeaders(services, w.academicOwn, "POST", path, { body: csv })),
          "content-type": "text/csv",
        },
        body: csv,
      });
    const first = await (await send()).json();
    assert.equal(first.invited, 1);
    assert.ok(first.rows[0].invitationId);
    const second = await (await send()).json();
    assert.equal(second.rows[0].error.code, "rate_limited");
    const token = await tokenFromMail(database, email, "invitation");
    const res = await app.request(
      "/v1/auth/invitations/accept",
      post({ token, password: "roster passphrase" }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await enrolledIn(database, email), [{ courseId: w.courseA, role: "student" }]);
  },
);
