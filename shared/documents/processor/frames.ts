/**
 * Length-prefixed frames between the serving process and its document-processing children, over stdin/stdout:
 * `[u32 header length][u32 body length][JSON header][binary body]`, little-endian. Binary bodies carry document
 * bytes and vectors without base64.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One message: a JSON header and an optional binary body. */
export interface Frame<H = Record<string, unknown>> {
  header: H;
  body: Uint8Array;
}

/** Encodes a frame. */
export function encodeFrame(header: unknown, body: Uint8Array = new Uint8Array()): Uint8Array {
  const head = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true);
  view.setUint32(4, body.length, true);
  out.set(head, 8);
  out.set(body, 8 + head.length);
  return out;
}

/** Decodes frames from a byte stream until it ends. */
export async function* readFrames<H = Record<string, unknown>>(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Frame<H>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  const fill = async (n: number) => {
    while (buffered < n) {
      const { value, done } = await reader.read();
      if (done) return false;
      chunks.push(value);
      buffered += value.length;
    }
    return true;
  };
  const take = (n: number) => {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const first = chunks[0];
      const used = Math.min(first.length, n - at);
      out.set(first.subarray(0, used), at);
      at += used;
      if (used === first.length) chunks.shift();
      else chunks[0] = first.subarray(used);
    }
    buffered -= n;
    return out;
  };
  try {
    while (await fill(8)) {
      const lengths = new DataView(take(8).buffer);
      const headLength = lengths.getUint32(0, true);
      const bodyLength = lengths.getUint32(4, true);
      if (!await fill(headLength + bodyLength)) return;
      const header = JSON.parse(decoder.decode(take(headLength))) as H;
      yield { header, body: take(bodyLength) };
    }
  } finally {
    reader.releaseLock();
  }
}
