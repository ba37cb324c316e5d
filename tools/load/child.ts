/**
 * Runs one of the harness's tools (autocannon, the paced generator) in a process of its own, so its work never
 * shares the event loop it measures: `input` goes to the child's stdin as JSON, and its last stdout line is its
 * JSON result.
 */
export async function runJsonChild<T>(file: string, input: unknown, what: string): Promise<T> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`${what} failed: ${new TextDecoder().decode(out.stderr)}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!) as T;
}
