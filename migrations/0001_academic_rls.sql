-- Row-level security for course-scoped data: defence in depth under the application's own scope checks.
-- The application runs each request's queries as the NOLOGIN role app_user (SET LOCAL ROLE inside the transaction,
-- see shared/scope/caller_tx.ts) with app.user_id set by set_config(..., true). The owner role that runs
-- migrations and background jobs bypasses RLS as the tables' owner. Idempotent: the lead re-sequences migrations.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_user') THEN
    CREATE ROLE app_user NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  -- Another database of the same cluster created it concurrently (roles are cluster-wide).
  NULL;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  -- The connecting role must be a member of app_user to SET ROLE to it (superusers already may).
  EXECUTE format('GRANT app_user TO %I', current_user);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'could not grant app_user to %: %', current_user, SQLERRM;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO app_user;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_user;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO app_user;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_user;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO app_user;
--> statement-breakpoint
-- The audit trail is append-only for the application.
REVOKE UPDATE, DELETE ON audit_events FROM app_user;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;
--> statement-breakpoint
-- The helpers below are SECURITY DEFINER (owned by the migrating owner, which bypasses RLS) so that policies on
-- enrollments can consult enrollments without recursing, and so that the caller's role and faculty come from the
-- users and user_profiles tables, not from anything the request could set.
CREATE OR REPLACE FUNCTION app_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM users WHERE id = app_current_user_id() AND role = 'ADMIN' AND deleted_at IS NULL
  )
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_academic_faculty_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.faculty_id FROM user_profiles p JOIN users u ON u.id = p.user_id
  WHERE p.user_id = app_current_user_id() AND u.role = 'ACADEMIC' AND u.deleted_at IS NULL AND p.deleted_at IS NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_enrolled_course_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(array_agg(e.course_id), '{}') FROM enrollments e JOIN users u ON u.id = e.user_id
  WHERE e.user_id = app_current_user_id() AND e.deleted_at IS NULL AND u.deleted_at IS NULL
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_manageable_course_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(array_agg(id), '{}') FROM (
    SELECT e.course_id AS id FROM enrollments e JOIN users u ON u.id = e.user_id
    WHERE e.user_id = app_current_user_id() AND e.role = 'instructor' AND e.deleted_at IS NULL
      AND u.role = 'ACADEMIC' AND u.deleted_at IS NULL
    UNION
    SELECT c.id FROM courses c WHERE c.faculty_id = app_academic_faculty_id()
  ) s
$$;
--> statement-breakpoint
-- For tables that hang off a course (documents, chunks, chats, exams): readable when admin, enrolled, or the
-- course is in the academic's faculty. Adopt with:
--   USING ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[]))
CREATE OR REPLACE FUNCTION app_readable_course_ids() RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(array_agg(id), '{}') FROM (
    SELECT unnest(app_enrolled_course_ids()) AS id
    UNION
    SELECT c.id FROM courses c WHERE c.faculty_id = app_academic_faculty_id()
  ) s
$$;
--> statement-breakpoint
ALTER TABLE courses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS courses_select ON courses;
--> statement-breakpoint
-- The faculty is checked on the row itself (not through an id list) so INSERT ... RETURNING of a new course passes.
CREATE POLICY courses_select ON courses FOR SELECT USING (
  (SELECT app_is_admin()) OR faculty_id = (SELECT app_academic_faculty_id())
  OR id = ANY ((SELECT app_enrolled_course_ids())::uuid[])
);
--> statement-breakpoint
DROP POLICY IF EXISTS courses_insert ON courses;
--> statement-breakpoint
CREATE POLICY courses_insert ON courses FOR INSERT WITH CHECK (
  (SELECT app_is_admin()) OR faculty_id = (SELECT app_academic_faculty_id())
);
--> statement-breakpoint
DROP POLICY IF EXISTS courses_update ON courses;
--> statement-breakpoint
CREATE POLICY courses_update ON courses FOR UPDATE USING (
  (SELECT app_is_admin()) OR id = ANY ((SELECT app_manageable_course_ids())::uuid[])
) WITH CHECK (
  (SELECT app_is_admin()) OR id = ANY ((SELECT app_manageable_course_ids())::uuid[])
);
--> statement-breakpoint
DROP POLICY IF EXISTS courses_delete ON courses;
--> statement-breakpoint
CREATE POLICY courses_delete ON courses FOR DELETE USING ((SELECT app_is_admin()));
--> statement-breakpoint
ALTER TABLE enrollments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS enrollments_select ON enrollments;
--> statement-breakpoint
CREATE POLICY enrollments_select ON enrollments FOR SELECT USING (
  (SELECT app_is_admin()) OR user_id = (SELECT app_current_user_id())
  OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
);
--> statement-breakpoint
DROP POLICY IF EXISTS enrollments_write ON enrollments;
--> statement-breakpoint
CREATE POLICY enrollments_write ON enrollments FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
) WITH CHECK (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
);
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS audit_events_insert ON audit_events;
--> statement-breakpoint
CREATE POLICY audit_events_insert ON audit_events FOR INSERT WITH CHECK (true);
--> statement-breakpoint
DROP POLICY IF EXISTS audit_events_select ON audit_events;
--> statement-breakpoint
CREATE POLICY audit_events_select ON audit_events FOR SELECT USING ((SELECT app_is_admin()));
