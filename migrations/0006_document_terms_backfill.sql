-- Fills document_terms and documents.term_total (and re-counts chunk_count) for chunks written before they existed (issue 6, keyword search
-- speed), and lets callers read document_terms where they read the document. Idempotent, and the same SQL as
-- writeDocumentTerms() in shared/rag/chunk_writer.ts. One statement over every chunk: on a very large database run
-- it by hand per course before deploying (ON CONFLICT makes the migration skip what is done).
INSERT INTO document_terms (document_id, generation, term, df)
SELECT c.document_id, c.generation, u.term, count(*)::int
FROM document_chunks c
CROSS JOIN LATERAL (SELECT DISTINCT unnest(string_to_array(c.search_text, ' ')) AS term) AS u
GROUP BY c.document_id, c.generation, u.term
ON CONFLICT DO NOTHING;
--> statement-breakpoint
UPDATE documents d SET
  term_total = coalesce(s.total, 0),
  chunk_count = coalesce(s.chunks, d.chunk_count)
FROM documents d2 LEFT JOIN LATERAL (
  SELECT sum(c.term_count) AS total, count(*)::int AS chunks FROM document_chunks c
  WHERE c.document_id = d2.id AND c.generation = d2.chunk_generation
) s ON true
WHERE d2.id = d.id;
--> statement-breakpoint
ALTER TABLE document_terms ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS document_terms_select ON document_terms;
--> statement-breakpoint
-- Readable where the document is (the documents policy applies inside the subquery).
CREATE POLICY document_terms_select ON document_terms FOR SELECT USING (
  EXISTS (SELECT 1 FROM documents d WHERE d.id = document_terms.document_id)
);
--> statement-breakpoint
GRANT SELECT ON document_terms TO app_user;
