/**
 * `golden.run`: evaluates a course's golden set (see `shared/golden/evaluate.ts`) with the process's search services
 * and tutor model: the offline tutor by default, the configured model when `workers/main.ts` passes one.
 */
import { runGoldenSet } from "@app/shared/golden/evaluate.ts";
import type { TutorModel } from "@app/shared/tutor/model/interface.ts";
import { OfflineTutor } from "@app/shared/tutor/model/offline.ts";
import { defineJob, type JobHandlers } from "../registry.ts";

/** The golden-set job handler, built for a tutor model (offline when none is given). */
export function goldenJobHandlers(deps: { model?: TutorModel } = {}): Pick<JobHandlers, "golden.run"> {
  const model = deps.model ?? new OfflineTutor();
  return {
    "golden.run": defineJob("golden.run", async ({ payload, database, deps: jobDeps, logger }) => {
      const services = jobDeps.documents;
      if (!services) throw new Error("This workers process has no document services configured");
      const outcome = await runGoldenSet(database.db, {
        retrieval: { database, vectorStore: services.vectorStore, embedder: services.embedder, logger },
        model,
        logger,
      }, payload.runId);
      return { result: outcome, resultUrl: `/api/v1/golden-runs/${payload.runId}` };
    }),
  };
}
