import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable, Transform } from 'node:stream';
import { Type } from 'typebox';
import { isValidFileName } from '../../engine/backend/backend.js';
import { BackendNotFoundError } from '../../engine/backend/errors.js';
import { AppError, badRequest, conflict, notFound } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { callerOf } from '../../server/request-scope.js';
import { BlobExistsError, TooLargeError } from '../../storage/blob-store.js';
import { appendOnlyOverwrite, assertMayDelete, mayOverwrite } from './vault-append-only.js';
import { authorizeVault, type VaultAccess } from './vault-access.js';
import { VaultFiles } from './vault-files.js';
import { parseRange } from './vault-range.js';
import { assertWithinQuota } from './vault-quota.js';
import { objectLockOfVault } from '../object-lock/object-lock.js';
import { addVaultUsage, countAuthorizedUpload, forgetUploadGrant } from './vault-usage.js';

/** Largest file the endpoint stores: packs are 16 MiB by default; this leaves room for larger pack sizes. */
export const VAULT_FILE_LIMIT_BYTES = 64 * 1024 * 1024;
/** How long a presigned object-storage URL handed to an agent stays valid. */
export const PRESIGNED_URL_SECONDS = 300;

const tags = ['vaults'];
const FileParams = Type.Object({ vault_id: Type.String(), '*': Type.String({ description: 'config or <kind>/<id>' }) });
const VaultParams = Type.Object({ vault_id: Type.String() });
const ListQuery = Type.Object({ prefix: Type.Optional(Type.String({ description: 'e.g. data/ or index/' })) });
const UploadQuery = Type.Object({
  size: Type.Optional(Type.String({ description: 'the exact length of the file in bytes' })),
  md5: Type.Optional(Type.String({ description: "the file's MD5, base64: signed into the URL, so the storage refuses other bytes (required when the project has Object Lock)" })),
});

interface FileTarget {
  vaultId: string;
  name: string;
  files: VaultFiles;
}

/**
 * The vault storage endpoint agents back up to: the engine's backend operations (save, load with Range, stat,
 * list, remove) over HTTP at `/vaults/{vault_id}/files/{name}`. With the local directory, bodies are streamed
 * through this node. With object storage no vault byte passes through it: an agent asks
 * `POST /vaults/{vault_id}/uploads/{name}?size=N` for a presigned PUT, and a read is a 307 to a presigned GET.
 * The history is append-only (see vault-append-only.ts).
 */
export async function vaultRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const direct = ctx.blobs.presign !== undefined;
  await app.register(async (scoped) => {
    // Inside this plugin only: every body is handed over as the raw request stream, counted as it passes.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_request, payload, done) => {
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          ctx.vaultTraffic.received += chunk.length;
          next(null, chunk);
        },
      });
      payload.on('error', (err) => counted.destroy(err));
      done(null, payload.pipe(counted));
    });
    scoped.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'GET' && (reply.statusCode === 200 || reply.statusCode === 206) && request.routeOptions.url === '/vaults/:vault_id/files/*') {
        ctx.vaultTraffic.sent += Number(reply.getHeader('content-length') ?? 0);
      }
      return payload;
    });
    scoped.setErrorHandler(async (err) => {
      throw storageError(err);
    });

    const target = async (request: FastifyRequest, access: VaultAccess): Promise<FileTarget> => {
      const params = request.params as { vault_id: string; '*': string };
      await authorizeVault(ctx, callerOf(request), params.vault_id, access);
      if (!isValidFileName(params['*'])) throw badRequest(`"${params['*']}" is not a vault file name (config or <kind>/<id>).`);
      return { vaultId: params.vault_id, name: params['*'], files: new VaultFiles(ctx.blobs, params.vault_id) };
    };

    scoped.put(
      '/vaults/:vault_id/files/*',
      { bodyLimit: VAULT_FILE_LIMIT_BYTES, schema: { tags, summary: 'Store a vault file (create only; locks may be replaced)', params: FileParams }, attachValidation: true },
      async (request, reply) => {
        const { vaultId, name, files } = await target(request, 'write');
        const body = request.body instanceof Readable ? request.body : Readable.from([]);
        try {
          if (direct) {
            throw conflict(`This server keeps vault data in object storage: ask POST /vaults/${vaultId}/uploads/${name}?size=N for an upload URL.`);
          }
          const declared = request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']);
          if (declared !== undefined && declared > VAULT_FILE_LIMIT_BYTES) throw new TooLargeError(VAULT_FILE_LIMIT_BYTES);
          const overwrite = mayOverwrite(name);
          const existing = await ctx.blobs.stat(files.keyOf(name));
          if (existing !== null && !overwrite) throw appendOnlyOverwrite();
          // Refuse before reading the body when its declared length already passes a quota; check again with the
          // exact size before the file is put in place.
          if (declared !== undefined && Number.isSafeInteger(declared)) await assertWithinQuota(ctx, vaultId, declared - (existing ?? 0), existing === null);
          const size = await files.write(name, body, {
            limit: VAULT_FILE_LIMIT_BYTES,
            ifAbsent: !overwrite,
            beforeCommit: (size) => assertWithinQuota(ctx, vaultId, size - (existing ?? 0), existing === null),
          });
          await addVaultUsage(ctx, vaultId, size - (existing ?? 0), existing === null ? 1 : 0);
          return reply.code(201).send({ name, size });
        } catch (err) {
          body.resume();
          throw err;
        }
      },
    );

    scoped.post(
      '/vaults/:vault_id/uploads/*',
      { schema: { tags, summary: 'Authorize one upload of a vault file: a presigned URL with object storage, {direct:false} with the local directory', params: FileParams, querystring: UploadQuery } },
      async (request) => {
        const { vaultId, name, files } = await target(request, 'write');
        if (!ctx.blobs.presign) return { direct: false };
        const sizeText = (request.query as { size?: string }).size ?? '';
        if (!/^\d{1,12}$/.test(sizeText)) throw badRequest('size must be the length of the file in bytes.');
        const size = Number(sizeText);
        if (size > VAULT_FILE_LIMIT_BYTES) throw new TooLargeError(VAULT_FILE_LIMIT_BYTES);
        const md5 = (request.query as { md5?: string }).md5;
        if (md5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw badRequest('md5 must be the base64 MD5 of the file (24 characters).');
        const overwrite = mayOverwrite(name);
        // Locks are replaced and removed all the time: they are never retained.
        const lock = overwrite ? null : await objectLockOfVault(ctx.store.db, vaultId);
        if (lock && md5 === undefined) throw badRequest('md5 is required: this project keeps vault files under S3 Object Lock, which needs the MD5 of each upload.');
        const existing = await ctx.blobs.stat(files.keyOf(name));
        if (existing !== null && !overwrite) throw appendOnlyOverwrite();
        await assertWithinQuota(ctx, vaultId, size - (existing ?? 0), existing === null);
        const signed = await ctx.blobs.presign('PUT', files.keyOf(name), {
          expiresSeconds: PRESIGNED_URL_SECONDS,
          ifAbsent: !overwrite,
          contentLength: size,
          contentMd5: md5,
          retention: lock ? { mode: lock.mode, until: new Date(Date.now() + lock.days * 86_400_000) } : undefined,
        });
        await countAuthorizedUpload(ctx, vaultId, name, size, existing, overwrite);
        return { direct: true, method: signed.method, url: signed.url, headers: signed.headers, expires_at: signed.expiresAt.toISOString() };
      },
    );

    scoped.get(
      '/vaults/:vault_id/files/*',
      { exposeHeadRoute: false, schema: { tags, summary: 'Read a vault file, or a byte range of it (307 to object storage when configured)', params: FileParams } },
      async (request, reply) => {
        const { name, files } = await target(request, 'read');
        if (ctx.blobs.presign) {
          const signed = await ctx.blobs.presign('GET', files.keyOf(name), { expiresSeconds: PRESIGNED_URL_SECONDS });
          return reply.code(307).header('location', signed.url).header('cache-control', 'no-store').send();
        }
        const file = await files.stat(name).catch((err: unknown) => {
          if (err instanceof BackendNotFoundError) throw notFound('Vault file not found.');
          throw err;
        });
        const range = parseRange(request.headers.range, file.size);
        reply.header('accept-ranges', 'bytes').type('application/octet-stream');
        if (range.kind === 'unsatisfiable') return unsatisfiable(reply, file.size);
        if (range.kind === 'whole') {
          reply.header('content-length', String(file.size));
          return reply.code(200).send(await files.openRead(name));
        }
        reply.header('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
        reply.header('content-length', String(range.length));
        return reply.code(206).send(await files.openRead(name, { offset: range.offset, length: range.length }));
      },
    );

    scoped.head('/vaults/:vault_id/files/*', { schema: { tags, summary: 'Size of a vault file', params: FileParams } }, async (request, reply) => {
      const { name, files } = await target(request, 'read');
      const size = await ctx.blobs.stat(files.keyOf(name));
      if (size === null) return reply.code(404).send();
      return reply.code(200).header('accept-ranges', 'bytes').header('content-length', String(size)).type('application/octet-stream').send();
    });

    scoped.delete(
      '/vaults/:vault_id/files/*',
      { schema: { tags, summary: 'Delete a vault file (append-only: locks always; data, index, snapshots during a cleanup)', params: FileParams } },
      async (request, reply) => {
        const { vaultId, name, files } = await target(request, 'write');
        await assertMayDelete(ctx, callerOf(request), name);
        const granted = direct ? await forgetUploadGrant(ctx, vaultId, name) : null;
        // A granted upload that never arrived was counted too.
        const freed = (await files.delete(name)) ?? granted;
        if (freed !== null) await addVaultUsage(ctx, vaultId, -freed, -1);
        return reply.code(204).send();
      },
    );

    scoped.get('/vaults/:vault_id/files', { schema: { tags, summary: 'List vault files by name prefix', params: VaultParams, querystring: ListQuery } }, async (request) => {
      const { vault_id: vaultId } = request.params as { vault_id: string };
      await authorizeVault(ctx, callerOf(request), vaultId, 'read');
      const prefix = (request.query as { prefix?: unknown }).prefix ?? '';
      if (typeof prefix !== 'string' || !/^[A-Za-z0-9_./-]{0,200}$/.test(prefix) || prefix.includes('..')) throw badRequest('prefix may hold only letters, digits, "_", ".", "-" and "/".');
      return { files: await new VaultFiles(ctx.blobs, vaultId).list(prefix) };
    });
  });
}

function unsatisfiable(reply: FastifyReply, size: number): FastifyReply {
  return reply
    .code(416)
    .header('content-range', `bytes */${size}`)
    .type('application/json')
    .send({ message: `The requested range is not inside the file (${size} bytes).` });
}

/** Storage failures in the catalogue's terms (unreachable storage is mapped for every route in error-handler.ts). */
export function storageError(err: unknown): unknown {
  if (err instanceof TooLargeError) return new AppError('payload_too_large', `A vault file may not be larger than ${err.limit} bytes.`);
  if (err instanceof BlobExistsError) return appendOnlyOverwrite();
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('service_unavailable', 'The server has no space left for vault data.', { headers: { 'retry-after': '60' } });
  }
  return err;
}
