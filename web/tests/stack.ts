/**
 * The whole system for the browser tests and the web benchmark, in this process the way `deno task dev` runs it:
 * embedded PGlite in a temporary folder, the offline tutor and embedder, the embedded job queue, and the edge
 * serving a fresh build of the web app on a free port. Helpers put the people of a journey in place (a faculty,
 * a semester, a course, an academic who teaches it) straight in the database.
 */
import { eq } from "drizzle-orm";
import { createCoreApp } from "../../core/app.ts";
import { newTotpSecret } from "../../core/auth/totp.ts";
import { loadCoreEnv } from "../../core/env.ts";
import { buildCoreServices } from "../../core/main.ts";
import { loadEdgeEnv } from "../../edge/env.ts";
import { buildEdgeServices, edgeHandler } from "../../edge/main.ts";
import { type Database, openPglite } from "../../shared/db/client.ts";
import {
  courses,
  enrollments,
  faculties,
  semesters,
  userProfiles,
} from "../../shared/db/schema/academics.ts";
import { users } from "../../shared/db/schema/users.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { startServer } from "../../shared/http/serve.ts";
import { createKv } from "../../shared/kv/mod.ts";
import { freePort } from "../../shared/testing/ports.ts";
import { createWorkersApp } from "../../workers/app.ts";
import { loadWorkersEnv } from "../../workers/env.ts";
import { buildWorkersServices } from "../../workers/main.ts";
import { buildWebApp } from "../build.ts";

/** A running stack. */
export interface WebStack {
  /** The edge's origin: the web app and `/api/v1`. */
  url: string;
  database: Database;
  /** A course of a new faculty, with nobody in it yet. */
  createCourse(
    title: string,
    language?: "en" | "ar",
  ): Promise<{ id: string; facultyId: string; code: string }>;
  /** Registers an account through the API and returns its id. */
  register(email: string, password: string, displayName: string): Promise<string>;
  /** Makes `userId` an academic of the course's faculty who teaches it. */
  makeInstructor(userId: string, course: { id: string; facultyId: string }): Promise<void>;
  /** Makes `userId` an admin with two-factor sign-in on, as admins must have it; returns the TOTP secret. */
  makeAdmin(userId: string, email: string): Promise<string>;
  /** Enrols `userId` in the course as a student. */
  enrol(userId: string, courseId: string): Promise<void>;
  /** The id of the account with this email. */
  userIdOf(email: string): Promise<string>;
  /** Signs in through the API and returns an access token. */
  login(email: string, password: string): Promise<string>;
  /** Uploads a document as the holder of `token` and waits until it is ready. */
  addDocument(
    token: string,
    courseId: string,
    fileName: string,
    bytes: Uint8Array<ArrayBuffer>,
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * Builds the web app into a temporary folder and starts edge, core and workers on free ports; `env` adds or
 * overrides configuration (e.g. a short access-token lifetime).
 */
export async function startWebStack(extraEnv: Record<string, string> = {}): Promise<WebStack> {
  const dataDir = await Deno.makeTempDir({ prefix: "aiteacher-web-" });
  const distDir = `${dataDir}/dist`;
  await buildWebApp({ outDir: distDir, quiet: true });
  const edgePort = freePort();
  const corePort = freePort();
  const workersPort = freePort();
  const url = `http://127.0.0.1:${edgePort}`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    EDGE_ASSERTION_SECRET: "web-test-edge-assertion-secret-0123456789",
    UPLOAD_BASE_URL: `${url}/api/v1/uploads`,
    WEB_DIST_DIR: distDir,
    CORE_URL: `http://127.0.0.1:${corePort}`,
    CORE_PORT: String(corePort),
    EDGE_PORT: String(edgePort),
    WORKERS_PORT: String(workersPort),
    WORKERS_URL: `http://127.0.0.1:${workersPort}`,
    // Journeys poll a document's progress every second; the per-IP limit is for abuse, not for one tester.
    RATE_LIMIT_IP: "100000/1m",
    JOB_POLL_MS: "100",
    ...extraEnv,
  };
  const coreEnv = loadCoreEnv(env);
  const workersEnv = loadWorkersEnv(env);
  const edgeEnv = loadEdgeEnv(env);
  const database = await openPglite(`${dataDir}/pglite`);
  await migrateDatabase(database);
  const kv = createKv(edgeEnv);
  const core = buildCoreServices(coreEnv, database, { kv });
  const workers = buildWorkersServices(workersEnv, database, { kv });
  const edge = buildEdgeServices(edgeEnv, { kv });
  workers.jobs.transport.start();
  const servers = [
    await startServer({
      name: "core",
      port: corePort,
      hostname: "127.0.0.1",
      handler: createCoreApp(core).fetch,
      logger: core.logger,
    }),
    await startServer({
      name: "workers",
      port: workersEnv.WORKERS_PORT,
      hostname: "127.0.0.1",
      handler: createWorkersApp(workers).fetch,
      logger: workers.logger,
    }),
    await startServer({
      name: "edge",
      port: edgePort,
      hostname: "127.0.0.1",
      handler: edgeHandler(edge),
      logger: edge.logger,
    }),
  ];

  return {
    url,
    database,
    async createCourse(title, language = "en") {
      const tag = crypto.randomUUID().slice(0, 6).toUpperCase();
      const [faculty] = await database.db.insert(faculties).values({
        name: `Science ${tag}`,
        code: `SCI-${tag}`,
      })
        .returning();
      const [semester] = await database.db.insert(semesters).values({
        facultyId: faculty.id,
        name: `Fall ${tag}`,
        startsOn: "2026-09-01",
        endsOn: "2027-01-31",
        active: true,
      }).returning();
      const code = `MATH-${tag}`;
      const [course] = await database.db.insert(courses).values({
        facultyId: faculty.id,
        semesterId: semester.id,
        code,
        title,
        description: "Linear equations and how to solve them together.",
        language,
      }).returning();
      return { id: course.id, facultyId: faculty.id, code };
    },
    async register(email, password, displayName) {
      const res = await fetch(`${url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password, displayName }),
      });
      const body = await res.json();
      if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(body)}`);
      return body.user.id as string;
    },
    async makeInstructor(userId, course) {
      await database.db.update(users).set({ role: "ACADEMIC" }).where(eq(users.id, userId));
      await database.db.insert(userProfiles).values({ userId, facultyId: course.facultyId })
        .onConflictDoUpdate({ target: userProfiles.userId, set: { facultyId: course.facultyId } });
      await database.db.insert(enrollments).values({ userId, courseId: course.id, role: "instructor" });
    },
    async makeAdmin(userId, email) {
      const { secret } = newTotpSecret("AI Teacher", email);
      await database.db.update(users).set({ role: "ADMIN", totpSecret: secret, totpEnabledAt: new Date() })
        .where(eq(users.id, userId));
      return secret;
    },
    async enrol(userId, courseId) {
      await database.db.insert(enrollments).values({ userId, courseId, role: "student" });
    },
    async userIdOf(email) {
      const [row] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (!row) throw new Error(`no account "${email}"`);
      return row.id;
    },
    async login(email, password) {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
      return body.accessToken as string;
    },
    async addDocument(token, courseId, fileName, bytes) {
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const type = fileName.slice(fileName.lastIndexOf(".") + 1);
      const grant = await (await fetch(`${url}/api/v1/courses/${courseId}/documents`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ fileName, type, sizeBytes: bytes.length }),
      })).json();
      const put = await fetch(grant.uploadUrl, { method: "PUT", headers: grant.uploadHeaders, body: bytes });
      if (!put.ok) throw new Error(`upload failed: ${await put.text()}`);
      for (let i = 0; i < 600; i++) {
        const doc = await (await fetch(`${url}/api/v1/documents/${grant.documentId}`, { headers: auth }))
          .json();
        if (doc.status === "ready") return grant.documentId as string;
        if (doc.status === "failed") throw new Error(`ingestion failed: ${doc.error}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error("the document did not become ready in 2 minutes");
    },
    async close() {
      await Promise.all(servers.map((s) => s.shutdown()));
      await workers.jobs.transport.stop(1000);
      await database.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
