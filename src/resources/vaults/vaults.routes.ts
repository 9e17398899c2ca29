import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { isValidFileName } from '../../engine/backend/backend.js';
import { AppError, badRequest, notFound } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { callerOf } from '../../server/request-scope.js';
import { authorizeVault, type VaultAccess } from './vault-access.js';
import { TooLargeError, VaultFiles } from './vault-files.js';
import { parseRange } from './vault-range.js';
import { assertWithinQuota } from './vault-quota.js';
import { addVaultUsage } from './vault-usage.js';

/** Largest file the endpoint stores: packs are 16 MiB by default; this leaves room for larger pack sizes. */
export const VAULT_FILE_LIMIT_BYTES = 64 * 1024 * 1024;

const tags = ['vaults'];
const FileParams = Type.Object({ vault_id: Type.String(), '*': Type.String({ description: 'config or <kind>/<id>' }) });
const VaultParams = Type.Object({ vault_id: Type.String() });
const ListQuery = Type.Object({ prefix: Type.Optional(Type.String({ description: 'e.g. data/ or index/' })) });

interface FileTarget {
  vaultId: string;
  name: string;
  files: VaultFiles;
}

/**
 * The vault storage endpoint agents back up to: the engine's backend operations (save, load with Range, stat,
 * list, remove) over HTTP at `/vaults/{vault_id}/files/{name}`. Bodies are streamed to disk, never held whole.
 */
export async function vaultRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scoped) => {
    // Inside this plugin only: every body is handed over as the raw request stream.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    const target = async (request: FastifyRequest, access: VaultAccess): Promise<FileTarget> => {
      const params = request.params as { vault_id: string; '*': string };
      await authorizeVault(ctx, callerOf(request), params.vault_id, access);
      if (!isValidFileName(params['*'])) throw badRequest(`"${params['*']}" is not a vault file name (config or <kind>/<id>).`);
      return { vaultId: params.vault_id, name: params['*'], files: VaultFiles.forVault(ctx.config.dataDir, params.vault_id) };
    };

    scoped.put(
      '/vaults/:vault_id/files/*',
      { bodyLimit: VAULT_FILE_LIMIT_BYTES, schema: { tags, summary: 'Store a vault file (atomic replace)', params: FileParams }, attachValidation: true },
      async (request, reply) => {
        const { vaultId, name, files } = await target(request, 'write');
        const declared = request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']);
        if (declared !== undefined && declared > VAULT_FILE_LIMIT_BYTES) throw storageError(new TooLargeError(VAULT_FILE_LIMIT_BYTES));
        const body = request.body instanceof Readable ? request.body : Readable.from([]);
        try {
          // Refuse before reading the body when its declared length already passes a quota; check again with the
          // exact sizes before the file replaces anything.
          if (declared !== undefined && Number.isSafeInteger(declared)) {
            const existing = await files.stat(name);
            await assertWithinQuota(ctx, vaultId, declared - (existing?.size ?? 0), existing === null);
          }
          const { size, replacedSize } = await files.save(name, body, VAULT_FILE_LIMIT_BYTES, (size, replaced) =>
            assertWithinQuota(ctx, vaultId, size - (replaced ?? 0), replaced === null),
          );
          await addVaultUsage(ctx, vaultId, size - (replacedSize ?? 0), replacedSize === null ? 1 : 0);
          return reply.code(201).send({ name, size });
        } catch (err) {
          body.resume();
          throw storageError(err);
        }
      },
    );

    scoped.get(
      '/vaults/:vault_id/files/*',
      { exposeHeadRoute: false, schema: { tags, summary: 'Read a vault file, or a byte range of it', params: FileParams } },
      async (request, reply) => {
        const { name, files } = await target(request, 'read');
        const file = await files.stat(name);
        if (!file) throw notFound('Vault file not found.');
        const range = parseRange(request.headers.range, file.size);
        reply.header('accept-ranges', 'bytes').type('application/octet-stream');
        if (range.kind === 'unsatisfiable') return unsatisfiable(reply, file.size);
        if (range.kind === 'whole') {
          reply.header('content-length', String(file.size));
          return reply.code(200).send(files.openRead(name, 0, file.size) ?? Buffer.alloc(0));
        }
        reply.header('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
        reply.header('content-length', String(range.length));
        return reply.code(206).send(files.openRead(name, range.offset, range.length) ?? Buffer.alloc(0));
      },
    );

    scoped.head('/vaults/:vault_id/files/*', { schema: { tags, summary: 'Size of a vault file', params: FileParams } }, async (request, reply) => {
      const { name, files } = await target(request, 'read');
      const file = await files.stat(name);
      if (!file) return reply.code(404).send();
      return reply.code(200).header('accept-ranges', 'bytes').header('content-length', String(file.size)).type('application/octet-stream').send();
    });

    scoped.delete('/vaults/:vault_id/files/*', { schema: { tags, summary: 'Delete a vault file (deleting a missing file succeeds)', params: FileParams } }, async (request, reply) => {
      const { vaultId, name, files } = await target(request, 'write');
      const freed = await files.remove(name);
      if (freed !== null) await addVaultUsage(ctx, vaultId, -freed, -1);
      return reply.code(204).send();
    });

    scoped.get('/vaults/:vault_id/files', { schema: { tags, summary: 'List vault files by name prefix', params: VaultParams, querystring: ListQuery } }, async (request) => {
      const { vault_id: vaultId } = request.params as { vault_id: string };
      await authorizeVault(ctx, callerOf(request), vaultId, 'read');
      const prefix = (request.query as { prefix?: unknown }).prefix ?? '';
      if (typeof prefix !== 'string' || !/^[A-Za-z0-9_./-]{0,200}$/.test(prefix) || prefix.includes('..')) throw badRequest('prefix may hold only letters, digits, "_", ".", "-" and "/".');
      return { files: await VaultFiles.forVault(ctx.config.dataDir, vaultId).list(prefix) };
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

function storageError(err: unknown): unknown {
  if (err instanceof TooLargeError) return new AppError('payload_too_large', `A vault file may not be larger than ${err.limit} bytes.`);
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('service_unavailable', 'The server has no space left for vault data.', { headers: { 'retry-after': '60' } });
  }
  return err;
}
