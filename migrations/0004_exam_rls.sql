-- Row-level security for exams (template in docs/academics.md): defence in depth under core's scope checks.
-- Staff of a course manage everything of its exams; students read published exams of their courses and only their
-- own attempts and answers. Workers (generation, grading) run as the owner and bypass RLS. Idempotent.
ALTER TABLE exams ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS exams_read ON exams;
--> statement-breakpoint
CREATE POLICY exams_read ON exams FOR SELECT USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
  OR (course_id = ANY ((SELECT app_readable_course_ids())::uuid[]) AND status IN ('published', 'closed', 'released'))
);
--> statement-breakpoint
DROP POLICY IF EXISTS exams_write ON exams;
--> statement-breakpoint
CREATE POLICY exams_write ON exams FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
--> statement-breakpoint
ALTER TABLE exam_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS exam_items_read ON exam_items;
--> statement-breakpoint
CREATE POLICY exam_items_read ON exam_items FOR SELECT USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[]));
--> statement-breakpoint
DROP POLICY IF EXISTS exam_items_write ON exam_items;
--> statement-breakpoint
CREATE POLICY exam_items_write ON exam_items FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
--> statement-breakpoint
ALTER TABLE exam_attempts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS exam_attempts_read ON exam_attempts;
--> statement-breakpoint
CREATE POLICY exam_attempts_read ON exam_attempts FOR SELECT USING (
  (SELECT app_is_admin()) OR user_id = (SELECT app_current_user_id())
  OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
--> statement-breakpoint
DROP POLICY IF EXISTS exam_attempts_write ON exam_attempts;
--> statement-breakpoint
CREATE POLICY exam_attempts_write ON exam_attempts FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
  OR (user_id = (SELECT app_current_user_id()) AND course_id = ANY ((SELECT app_readable_course_ids())::uuid[])))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
  OR (user_id = (SELECT app_current_user_id()) AND course_id = ANY ((SELECT app_readable_course_ids())::uuid[])));
--> statement-breakpoint
ALTER TABLE attempt_answers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS attempt_answers_all ON attempt_answers;
--> statement-breakpoint
-- The attempt's own policy narrows the subquery to attempts the caller may see or write.
CREATE POLICY attempt_answers_all ON attempt_answers FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
  OR attempt_id IN (SELECT id FROM exam_attempts WHERE user_id = (SELECT app_current_user_id())))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[])
  OR attempt_id IN (SELECT id FROM exam_attempts WHERE user_id = (SELECT app_current_user_id())));
