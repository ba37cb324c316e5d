/**
 * Test helpers for chat routes: an academic world whose courses hold real chunks (written by the retrieval chunk
 * writer), searched through the hybrid search with the hashed test embedder and the fake Qdrant (the test tree's
 * stand-in for a Qdrant server; pgvector is absent from the machine's Postgres), and a core app over them.
 */
import type { Database } from "../../shared/db/client.ts";
import { createDocumentServices } from "../../shared/documents/services.ts";
import { replaceDocumentChunks } from "../../shared/rag/chunk_writer.ts";
import { startFakeQdrant } from "../../shared/rag/testing/fake_qdrant.ts";
import { createHashEmbedder } from "../../shared/rag/testing/hash_embedder.ts";
import { insertTestDocument, paragraphs } from "../../shared/rag/testing/documents.ts";
import { createQdrantStore } from "../../shared/rag/vector/qdrant.ts";
import { type AcademicWorld, createAcademicWorld } from "../academics/testing.ts";
import { testCoreEnv } from "../auth/testing.ts";
import type { CoreServices } from "../services.ts";
import { createTestCore, type TestCore } from "../testing.ts";

/** A world, its core app, and a way to add material to its courses. */
export interface ChatWorld {
  world: AcademicWorld;
  core: TestCore;
  /** The retrieval services the core uses, for building other stacks (e.g. through the edge) on the same data. */
  /** Core services whose retrieval is the hashed embedder and the fake Qdrant (pass to other test stacks). */
  retrieval: Pick<CoreServices, "documents">;
  /** Adds a ready document with one chunk per paragraph to a course of the world. */
  addDocument(course: "A" | "B", title: string, texts: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Builds a chat world; `env` configures core (quotas, tutor model), `overrides` replaces services. */
export async function createChatWorld(
  database: Database,
  env: Record<string, string> = {},
  overrides: Partial<CoreServices> = {},
): Promise<ChatWorld> {
  const world = await createAcademicWorld(database);
  const qdrant = startFakeQdrant();
  const embedder = createHashEmbedder();
  const vectorStore = createQdrantStore({
    url: qdrant.url,
    collection: `chat${crypto.randomUUID().slice(0, 8)}`,
    dimensions: embedder.dimensions,
  });
  const retrieval = {
    documents: createDocumentServices(testCoreEnv(env), database, { embedder, vectorStore }),
  };
  const core = createTestCore(database, env, { ...retrieval, ...overrides });
  return {
    world,
    core,
    retrieval,
    async addDocument(course, title, texts) {
      const place = course === "A"
        ? { courseId: world.courseA, facultyId: world.facultyA, semesterId: world.semesterA }
        : { courseId: world.courseB, facultyId: world.facultyB, semesterId: world.semesterB };
      const doc = await insertTestDocument(database, place, title);
      await replaceDocumentChunks(database, vectorStore, embedder, {
        document: doc,
        chunks: paragraphs(...texts),
      });
      return doc.id;
    },
    close: () => qdrant.close(),
  };
}

/** Reads a whole SSE body into its events. */
export async function readSse(
  response: Response,
): Promise<{ event: string; data: Record<string, unknown> }[]> {
  return parseSse(await response.text());
}

/**
 * Parses SSE text into events (`event:` and one `data:` line each, as the chat route writes them); comment blocks
 * (`: accepted`, heartbeats) are not events.
 */
export function parseSse(text: string): { event: string; data: Record<string, unknown> }[] {
  const events = text.split("\n\n").filter((block) => block.split("\n").some((l) => l && !l.startsWith(":")));
  return events.map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? "{}";
    return { event, data: JSON.parse(data) };
  });
}
