import assert from "node:assert/strict";
import { AwsClient } from "aws4fetch";
import { DocumentError } from "../errors.ts";
import { startFakeS3 } from "../testing/fake_s3.ts";
import { PDF_FIXTURES, readPdfFixture } from "../testing/fixtures.ts";
import { buildDocx } from "../testing/office_fixtures.ts";
import { verifySigV4 } from "../testing/sigv4.ts";
import { S3DocumentStorage } from "./s3.ts";

// AWS's published example of a presigned URL (S3 API reference, "Authenticating Requests: Using Query
// Parameters (AWS Signature Version 4)"): GET test.txt from examplebucket, signed 2013-05-24 for 86400 s.
const AWS_EXAMPLE = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  url: "https://examplebucket.s3.amazonaws.com/test.txt",
  datetime: "20130524T000000Z",
  signature: "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
};

Deno.test("aws4fetch presigns AWS's published SigV4 example exactly, and the independent verifier agrees", async () => {
  const client = new AwsClient({
    accessKeyId: AWS_EXAMPLE.accessKeyId,
    secretAccessKey: AWS_EXAMPLE.secretAccessKey,
    service: "s3",
    region: "us-east-1",
  });
  const url = new URL(AWS_EXAMPLE.url);
  url.searchParams.set("X-Amz-Expires", "86400");
  const signed = await client.sign(url.toString(), {
    method: "GET",
    aws: { signQuery: true, datetime: AWS_EXAMPLE.datetime },
  });
  const query = new URL(signed.url).searchParams;
  assert.equal(query.get("X-Amz-Signature"), AWS_EXAMPLE.signature);
  assert.equal(query.get("X-Amz-Credential"), "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request");
  assert.equal(query.get("X-Amz-SignedHeaders"), "host");

  const secrets = { [AWS_EXAMPLE.accessKeyId]: AWS_EXAMPLE.secretAccessKey };
  const request = { method: "GET", url: signed.url, headers: new Headers() };
  const signedAt = Date.UTC(2013, 4, 24);
  assert.deepEqual(await verifySigV4(request, secrets, signedAt + 3600_000), {
    ok: true,
    accessKeyId: AWS_EXAMPLE.accessKeyId,
  });
  assert.equal(
    (await verifySigV4(request, secrets, signedAt + 86401_000) as { reason: string }).reason,
    "expired",
  );
  const tampered = { ...request, url: signed.url.replace("test.txt", "test2.txt") };
  assert.equal(
    (await verifySigV4(tampered, secrets, signedAt + 1000) as { reason: string }).reason,
    "mismatch",
  );
});

const KEYS = { accessKeyId: "minioadmin-test", secretAccessKey: "minio-secret-key-for-tests-only" };

function storageFor(endpoint: string, extra: { now?: () => number } = {}) {
  return new S3DocumentStorage({
    endpoint,
    region: "us-east-1",
    bucket: "course-files",
    ...KEYS,
    forcePathStyle: true,
    keyPrefix: "uploads/",
    defaultTtlSeconds: 900,
    retries: 0,
    ...extra,
  });
}

Deno.test("S3DocumentStorage presigned PUT is accepted by a fake S3 that verifies SigV4 independently", async () => {
  const s3 = startFakeS3({ bucket: "course-files", secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
  try {
    const storage = storageFor(s3.endpoint);
    const pdf = await readPdfFixture(PDF_FIXTURES.arabic);
    const grant = await storage.createUploadUrl({ documentId: "doc-1", type: "pdf", maxBytes: pdf.length });
    assert.equal(grant.key, "uploads/documents/doc-1");
    assert.ok(grant.url.startsWith(`${s3.endpoint}/course-files/uploads/documents/doc-1?`));
    const query = new URL(grant.url).searchParams;
    assert.equal(query.get("X-Amz-Expires"), "900");
    assert.equal(query.get("X-Amz-SignedHeaders"), "content-length;content-type;host");
    assert.deepEqual(grant.headers, {
      "content-type": "application/pdf",
      "content-length": String(pdf.length),
    });

    const put = await fetch(grant.url, { method: "PUT", headers: grant.headers, body: pdf });
    assert.equal(put.status, 200, await put.text());

    const stored = await storage.inspectObject(grant.key, { type: "pdf", maxBytes: pdf.length });
    assert.equal(stored.size, pdf.length);
    assert.match(stored.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(await storage.getObject(grant.key), pdf);
    await storage.deleteObject(grant.key);
    assert.equal(s3.objects.size, 0);
    await storage.deleteObject(grant.key); // deleting again is not an error
  } finally {
    await s3.close();
  }
});

Deno.test("S3 presigned PUT binds size and type: another length or Content-Type is refused by the fake S3", async () => {
  const s3 = startFakeS3({ bucket: "course-files", secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
  try {
    const storage = storageFor(s3.endpoint);
    const grant = await storage.createUploadUrl({ documentId: "doc-2", type: "txt", maxBytes: 5 });
    const longer = await fetch(grant.url, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: "hello world",
    });
    assert.equal(longer.status, 403);
    assert.match(await longer.text(), /SignatureDoesNotMatch/);
    const otherType = await fetch(grant.url, {
      method: "PUT",
      headers: { "content-type": "application/pdf" },
      body: "hello",
    });
    assert.equal(otherType.status, 403);
    await otherType.body?.cancel();
    const tampered = await fetch(grant.url.replace("doc-2", "doc-3"), {
      method: "PUT",
      headers: grant.headers,
      body: "hello",
    });
    assert.equal(tampered.status, 403);
    await tampered.body?.cancel();
    assert.equal(s3.objects.size, 0);
  } finally {
    await s3.close();
  }
});

Deno.test("S3 presigned PUT is refused by the fake S3 once it has expired", async () => {
  const clock = { now: Date.now() };
  const s3 = startFakeS3({
    bucket: "course-files",
    secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey },
    now: () => clock.now,
  });
  try {
    const storage = storageFor(s3.endpoint);
    const grant = await storage.createUploadUrl({
      documentId: "doc-4",
      type: "txt",
      maxBytes: 5,
      ttlSeconds: 60,
    });
    assert.ok(Math.abs(grant.expiresAt.getTime() - (Date.now() + 60_000)) < 2000);
    clock.now += 61_000;
    const res = await fetch(grant.url, { method: "PUT", headers: grant.headers, body: "hello" });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /AccessDenied/);
  } finally {
    await s3.close();
  }
});

Deno.test("S3DocumentStorage.inspectObject() deletes an object whose magic bytes are not the declared type", async () => {
  const s3 = startFakeS3({ bucket: "course-files", secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
  try {
    const storage = storageFor(s3.endpoint);
    const docx = await buildDocx([{ text: "hello" }]);
    const grant = await storage.createUploadUrl({ documentId: "doc-5", type: "pdf", maxBytes: docx.length });
    const put = await fetch(grant.url, { method: "PUT", headers: grant.headers, body: docx.slice() });
    assert.equal(put.status, 200);
    await assert.rejects(
      () => storage.inspectObject(grant.key, { type: "pdf", maxBytes: docx.length }),
      (err) => {
        assert.ok(err instanceof DocumentError);
        assert.equal(err.reason, "type_mismatch");
        assert.equal(err.message, 'The file was declared as "pdf" but its content is a DOCX');
        return true;
      },
    );
    assert.equal(s3.objects.size, 0);
    await assert.rejects(() => storage.getObject(grant.key), /was not found/);
  } finally {
    await s3.close();
  }
});

Deno.test("S3DocumentStorage reports wrong credentials as a bad gateway, not as a missing object", async () => {
  const s3 = startFakeS3({ bucket: "course-files", secrets: { other: "secret" } });
  try {
    await assert.rejects(
      () => storageFor(s3.endpoint).getObject("uploads/documents/x"),
      /Object storage answered 403 to GET "uploads\/documents\/x"/,
    );
  } finally {
    await s3.close();
  }
});

Deno.test("S3DocumentStorage builds virtual-hosted URLs unless path style is forced", () => {
  const storage = new S3DocumentStorage({
    endpoint: "https://s3.eu-central-1.amazonaws.com",
    region: "eu-central-1",
    bucket: "course-files",
    ...KEYS,
    forcePathStyle: false,
    defaultTtlSeconds: 900,
  });
  assert.equal(
    storage.objectUrl("documents/a b").toString(),
    "https://course-files.s3.eu-central-1.amazonaws.com/documents/a%20b",
  );
  assert.throws(() => storage.keyFor("../etc/passwd"), /is not valid/);
});
