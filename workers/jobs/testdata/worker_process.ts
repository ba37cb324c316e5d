/**
 * Test fixture: the real workers process (`runWorkers`) with one extra, slow job type, so a test can kill it in the
 * middle of a job. `test.slow_notify` reports progress, sleeps `sleepMs`, then delivers a notification exactly as
 * `notifications.deliver` does (keyed by job id).
 */
import { z } from "zod";
import { NotificationDeliverPayload } from "@app/shared/jobs/payloads.ts";
import { loadWorkersEnv } from "../../env.ts";
import { runWorkers } from "../../main.ts";
import { jobHandlers } from "../handlers/mod.ts";
import { deliverNotification } from "../handlers/notifications_deliver.ts";
import type { JobDefinition, JobRegistry } from "../registry.ts";

const SlowNotify = z.object({ sleepMs: z.number().int(), notification: NotificationDeliverPayload });

const slowNotify: JobDefinition<z.infer<typeof SlowNotify>> = {
  schema: SlowNotify,
  run: async (ctx) => {
    await ctx.reportProgress(50);
    ctx.logger.info("slow job halfway");
    await new Promise((r) => setTimeout(r, ctx.payload.sleepMs));
    return deliverNotification.run({ ...ctx, payload: ctx.payload.notification });
  },
};

await runWorkers(loadWorkersEnv(), {
  // A test-only type beside the real ones: the runner's registry is a lookup by the row's type string.
  registry: { ...jobHandlers, "test.slow_notify": slowNotify as JobDefinition } satisfies JobRegistry,
});
