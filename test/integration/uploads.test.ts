import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumeUpload, createUpload, type UploadDeps } from '../../functions/core/uploads/uploads.ts';
import { uploadDeps } from '../../functions/wiring/uploads.ts';
import { untilUploaded as waitForUpload } from '../fixtures/uploads.ts';
import { api, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
const projectKey = uniqueKey('up');
let token: string;

/** A few bytes that start like a zip; storage does not look inside. */
const zipBytes = (fill = 1) => Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(256, fill)]);

const put = (url: string, headers: Record<string, string>, body: Buffer) =>
  fetch(url, { method: 'PUT', headers, body });

const untilUploaded = (id: string) => waitForUpload(token, projectKey, id);

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  expect((await api('/projects', { token, body: { key: projectKey } })).status).toBe(201);
});

describe('presigned uploads', () => {
  it('signs a PUT URL whose upload is recorded with its size and ETag', async () => {
    const bytes = zipBytes();

    const created = await api(`/${projectKey}/uploads`, { token, body: {} });
    const signature = await created.json();
    const stored = await put(signature.url, signature.headers, bytes);
    const upload = await untilUploaded(signature.id);

    expect(created.status).toBe(201);
    expect(signature).toMatchObject({
      method: 'PUT',
      headers: { 'content-type': 'application/zip' },
      maxSize: 64 * 1024 * 1024,
    });
    expect(Date.parse(signature.expiresAt) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
    expect(stored.status).toBe(200);
    expect(upload).toMatchObject({
      id: signature.id,
      status: 'uploaded',
      size: bytes.length,
      etag: createHash('md5').update(bytes).digest('hex'),
    });
  });

  it('chooses the object key itself: the URL names the project and the upload, nothing from the client', async () => {
    const signature = await (await api(`/${projectKey}/uploads`, { token, body: {} })).json();

    expect(new URL(signature.url).pathname).toMatch(
      new RegExp(`/projects/[0-9a-f-]{36}/uploads/${signature.id}\\.zip$`),
    );
  });

  it('is refused by storage when the Content-Type differs from the signed one', async () => {
    const signature = await (await api(`/${projectKey}/uploads`, { token, body: {} })).json();

    const res = await put(signature.url, { 'content-type': 'text/plain' }, zipBytes());

    expect(res.status).toBe(403);
  });

  it('is refused by storage when the signature is tampered with', async () => {
    const signature = await (await api(`/${projectKey}/uploads`, { token, body: {} })).json();
    const url = new URL(signature.url);
    const sig = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set('X-Amz-Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);

    const res = await put(url.toString(), signature.headers, zipBytes());

    expect(res.status).toBe(403);
  });

  it('is refused by storage once the URL has expired', async () => {
    // Signed twenty minutes ago with a one-minute lifetime: already expired, no waiting.
    const past = new Date(Date.now() - 20 * 60 * 1000);
    const { presigned } = await createUpload(
      { ...uploadDeps, clock: { now: () => past } },
      tenant,
      projectKey,
      {
        expiresInSeconds: 60,
      },
    );

    const res = await put(presigned.url, presigned.headers, zipBytes());

    expect(res.status).toBe(403);
  });

  it('signs a declared size, so a body of another length is refused', async () => {
    const bytes = zipBytes();
    const signature = await (
      await api(`/${projectKey}/uploads`, { token, body: { size: bytes.length } })
    ).json();

    // The client sends the true length of what it sends, which then differs from the signed one.
    const { 'content-length': _signed, ...otherHeaders } = signature.headers;
    const other = await put(signature.url, otherHeaders, Buffer.concat([bytes, Buffer.from('extra')]));
    const exact = await put(signature.url, signature.headers, bytes);

    expect(signature.headers['content-length']).toBe(String(bytes.length));
    expect(other.status).toBe(403);
    expect(exact.status).toBe(200);
  });

  it('signs a declared SHA-256 (hex or base64) as the checksum header', async () => {
    const bytes = zipBytes();
    const digest = createHash('sha256').update(bytes);
    const hex = digest.copy().digest('hex');

    const signature = await (await api(`/${projectKey}/uploads`, { token, body: { sha256: hex } })).json();

    expect(signature.headers['x-amz-checksum-sha256']).toBe(digest.digest('base64'));
    expect((await put(signature.url, signature.headers, bytes)).status).toBe(200);
  });

  it('reads an expired, never-used upload as expired', async () => {
    const past = new Date(Date.now() - 20 * 60 * 1000);
    const { upload } = await createUpload({ ...uploadDeps, clock: { now: () => past } }, tenant, projectKey, {
      expiresInSeconds: 60,
    });

    const res = await api(`/${projectKey}/uploads/${upload.id}`, { token });

    expect((await res.json()).status).toBe('expired');
  });
});

describe('upload errors', () => {
  it.each([
    [{ contentType: 'text/plain' }, 'contentType'],
    [{ size: 0 }, 'size'],
    [{ sha256: 'not-a-digest' }, 'sha256'],
    [{ expiresInSeconds: 7200 }, 'expiresInSeconds'],
    [{ path: 'mine.zip' }, 'path'],
  ])('rejects %j naming %s', async (draft, field) => {
    const res = await api(`/${projectKey}/uploads`, { token, body: draft });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field });
  });

  it('rejects a declared size over the limit', async () => {
    const res = await api(`/${projectKey}/uploads`, { token, body: { size: 64 * 1024 * 1024 + 1 } });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'UploadTooLarge', maxSize: 64 * 1024 * 1024 });
  });

  it('answers 404 for an unknown project, an unknown upload, another project and another tenant', async () => {
    const signature = await (await api(`/${projectKey}/uploads`, { token, body: {} })).json();
    const otherProject = uniqueKey('other');
    await api('/projects', { token, body: { key: otherProject } });
    const stranger = await tokenFor(newTenant(), ['admin']);

    const responses = await Promise.all([
      api(`/${uniqueKey('missing')}/uploads`, { token, body: {} }),
      api(`/${projectKey}/uploads/00000000-0000-4000-8000-000000000000`, { token }),
      api(`/${otherProject}/uploads/${signature.id}`, { token }),
      api(`/${projectKey}/uploads/${signature.id}`, { token: stranger }),
    ]);

    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404]);
  });

  it('needs a scope on the project', async () => {
    const viewer = await tokenFor(tenant, [`view_connectors_deployments:${projectKey}`]);

    expect((await api(`/${projectKey}/uploads`, { token: viewer, body: {} })).status).toBe(403);
  });
});

describe('consuming an upload', () => {
  /** An upload slot with `bytes` stored in it, created through the use case with `limits`. */
  const storedUpload = async (
    bytes: Buffer,
    draft: Parameters<typeof createUpload>[3] = {},
    limits: UploadDeps['limits'] = uploadDeps.limits,
  ) => {
    const { upload, presigned } = await createUpload({ ...uploadDeps, limits }, tenant, projectKey, draft);
    const { 'content-length': _declared, ...headers } = presigned.headers;
    expect((await put(presigned.url, headers, bytes)).status).toBe(200);
    await untilUploaded(upload.id);
    return upload.id;
  };

  it('uses an upload once and names the first consumer to the second', async () => {
    const id = await storedUpload(zipBytes());

    const consumed = await consumeUpload(uploadDeps, tenant, projectKey, id, 'deployment:first');
    const again = await consumeUpload(uploadDeps, tenant, projectKey, id, 'deployment:second').catch(
      (e: unknown) => e,
    );
    const read = await (await api(`/${projectKey}/uploads/${id}`, { token })).json();

    expect(consumed.status).toBe('consumed');
    expect(again).toMatchObject({
      code: 'UploadAlreadyConsumed',
      details: { consumedBy: 'deployment:first' },
    });
    expect(read.status).toBe('consumed');
  });

  it('lets exactly one of ten concurrent consumers win', async () => {
    const id = await storedUpload(zipBytes());

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        consumeUpload(uploadDeps, tenant, projectKey, id, `deployment:${i}`),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'UploadAlreadyConsumed' });
    }
  });

  it('refuses an upload whose file has not arrived, and one that expired', async () => {
    const { upload: pending } = await createUpload(uploadDeps, tenant, projectKey, {});
    const past = new Date(Date.now() - 20 * 60 * 1000);
    const { upload: expired } = await createUpload(
      { ...uploadDeps, clock: { now: () => past } },
      tenant,
      projectKey,
      {
        expiresInSeconds: 60,
      },
    );

    await expect(
      consumeUpload(uploadDeps, tenant, projectKey, pending.id, 'deployment:x'),
    ).rejects.toMatchObject({
      code: 'UploadNotReady',
    });
    await expect(
      consumeUpload(uploadDeps, tenant, projectKey, expired.id, 'deployment:x'),
    ).rejects.toMatchObject({
      code: 'UploadExpired',
    });
  });

  it('refuses a stored file over the size limit, which local storage cannot enforce itself', async () => {
    const id = await storedUpload(zipBytes(), {}, { ...uploadDeps.limits, maxUploadBytes: 100 });

    await expect(consumeUpload(uploadDeps, tenant, projectKey, id, 'deployment:x')).rejects.toMatchObject({
      code: 'UploadTooLarge',
      details: { maxSize: 100 },
    });
  });

  it('verifies a declared SHA-256 against the stored bytes', async () => {
    const declared = zipBytes(1);
    const sha256 = createHash('sha256').update(declared).digest('base64');
    const matching = await storedUpload(declared, { sha256 });
    const different = await storedUpload(zipBytes(2), { sha256 });

    await expect(
      consumeUpload(uploadDeps, tenant, projectKey, matching, 'deployment:ok'),
    ).resolves.toMatchObject({
      status: 'consumed',
    });
    await expect(
      consumeUpload(uploadDeps, tenant, projectKey, different, 'deployment:x'),
    ).rejects.toMatchObject({
      code: 'UploadContentInvalid',
    });
  });

  it("refuses another project's upload as not found", async () => {
    const id = await storedUpload(zipBytes());

    await expect(
      consumeUpload(uploadDeps, tenant, uniqueKey('elsewhere'), id, 'deployment:x'),
    ).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
  });
});
