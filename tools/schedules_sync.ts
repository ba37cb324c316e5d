/**
 * `deno task schedules:sync`: registers every schedule of `shared/jobs/schedules.ts` with QStash (create or
 * update by schedule id = name), calling `${WORKERS_PUBLIC_URL}/schedules/<name>`. Run once per deployment after a
 * change to the schedules; the embedded default needs nothing (the workers schedule in-process).
 */
import { Client } from "@upstash/qstash";
import { SCHEDULES } from "../shared/jobs/schedules.ts";
import { loadWorkersEnv } from "../workers/env.ts";

const env = loadWorkersEnv();
if (!env.QSTASH_TOKEN || !env.WORKERS_PUBLIC_URL) {
  console.error("QSTASH_TOKEN and WORKERS_PUBLIC_URL are required to register schedules with QStash");
  Deno.exit(1);
}
const client = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false });
for (const schedule of SCHEDULES) {
  const { scheduleId } = await client.schedules.create({
    scheduleId: schedule.name,
    destination: `${env.WORKERS_PUBLIC_URL}/schedules/${schedule.name}`,
    cron: schedule.cron,
    retries: 3,
  });
  console.log(`${schedule.name}: ${schedule.cron} -> ${scheduleId}`);
}
