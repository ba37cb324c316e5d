-- Row-level security for golden sets: defence in depth under core's scope checks. Only the course's managers (its
-- instructors, faculty academics who manage it) and admins see or change questions, runs and results; students
-- never do. The workers' evaluation job runs as the owner and bypasses RLS. Idempotent.
ALTER TABLE golden_questions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS golden_questions_all ON golden_questions;
--> statement-breakpoint
CREATE POLICY golden_questions_all ON golden_questions FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
--> statement-breakpoint
ALTER TABLE golden_runs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS golden_runs_all ON golden_runs;
--> statement-breakpoint
CREATE POLICY golden_runs_all ON golden_runs FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
--> statement-breakpoint
ALTER TABLE golden_results ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS golden_results_all ON golden_results;
--> statement-breakpoint
CREATE POLICY golden_results_all ON golden_results FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
