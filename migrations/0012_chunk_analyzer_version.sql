-- Which keyword analyzer wrote each chunk's search_text (issue 21). Existing rows get 1, the analyzer before the
-- second readings of Arabic words; the workers re-analyse them at start (shared/rag/reanalyze.ts), no re-embedding.
ALTER TABLE "document_chunks" ADD COLUMN "analyzer_version" integer DEFAULT 1 NOT NULL;
