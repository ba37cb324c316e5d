-- Row-level security for the tutor's chat tables, following the academics template (docs/academics.md).
-- Idempotent: the lead re-sequences migrations. Sessions and messages belong to their student; course
-- instructors read message rows of their courses (usage per course), never write them; tutor settings are read by
-- anyone who reads the course and changed by its managers.
GRANT SELECT, INSERT, UPDATE, DELETE ON chat_sessions, chat_messages, course_tutor_settings TO app_user;
--> statement-breakpoint
ALTER TABLE chat_sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS chat_sessions_read ON chat_sessions;
--> statement-breakpoint
CREATE POLICY chat_sessions_read ON chat_sessions FOR SELECT USING (
  (SELECT app_is_admin()) OR user_id = (SELECT app_current_user_id()));
--> statement-breakpoint
DROP POLICY IF EXISTS chat_sessions_write ON chat_sessions;
--> statement-breakpoint
CREATE POLICY chat_sessions_write ON chat_sessions FOR ALL USING (user_id = (SELECT app_current_user_id()))
  WITH CHECK (user_id = (SELECT app_current_user_id())
    AND ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[])));
--> statement-breakpoint
ALTER TABLE chat_messages ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS chat_messages_read ON chat_messages;
--> statement-breakpoint
CREATE POLICY chat_messages_read ON chat_messages FOR SELECT USING (
  (SELECT app_is_admin()) OR user_id = (SELECT app_current_user_id())
  OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
--> statement-breakpoint
DROP POLICY IF EXISTS chat_messages_write ON chat_messages;
--> statement-breakpoint
CREATE POLICY chat_messages_write ON chat_messages FOR ALL USING (user_id = (SELECT app_current_user_id()))
  WITH CHECK (user_id = (SELECT app_current_user_id())
    AND ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[])));
--> statement-breakpoint
ALTER TABLE course_tutor_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS course_tutor_settings_read ON course_tutor_settings;
--> statement-breakpoint
CREATE POLICY course_tutor_settings_read ON course_tutor_settings FOR SELECT USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_readable_course_ids())::uuid[]));
--> statement-breakpoint
DROP POLICY IF EXISTS course_tutor_settings_write ON course_tutor_settings;
--> statement-breakpoint
CREATE POLICY course_tutor_settings_write ON course_tutor_settings FOR ALL USING (
  (SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]))
  WITH CHECK ((SELECT app_is_admin()) OR course_id = ANY ((SELECT app_manageable_course_ids())::uuid[]));
