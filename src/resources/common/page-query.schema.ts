import { Type } from 'typebox';

/** The query parameters of every paged v2 list (see v2-pagination.ts), for the OpenAPI document. */
export const PageQuerySchema = {
  marker: Type.Optional(Type.String({ description: 'id of the last item seen' })),
  limit: Type.Optional(Type.String({ description: 'page size, 1–1000 (default 100)' })),
  sort_dir: Type.Optional(Type.String({ enum: ['asc', 'desc'] })),
};
