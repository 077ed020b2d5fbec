/**
 * The search request, validated: the same filter set in a POST body, a GET query
 * string (comma-separated values per facet) and a saved cohort.
 */
import { z } from 'zod';
import { FACETS, type FacetName, type SearchFilters } from './model';

const value = z.string().min(1).max(128);
const range = z
  .object({ min: z.number().int().min(0).max(9999).optional(), max: z.number().int().min(0).max(9999).optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

export const filtersSchema = z
  .object({
    facets: z
      .object(
        Object.fromEntries(FACETS.map((f) => [f, z.array(value).max(100).optional()])) as Record<
          FacetName,
          z.ZodOptional<z.ZodArray<typeof value>>
        >,
      )
      .strict()
      .optional(),
    age: range.optional(),
    year: range.optional(),
    descriptionPrefix: z.string().min(1).max(128).optional(),
  })
  .strict();

export const MAX_PAGE = 500;
export const pageSchema = {
  limit: z.number().int().min(0).max(MAX_PAGE).default(50),
  cursor: z.string().max(512).optional(),
};

export const searchBodySchema = filtersSchema.extend(pageSchema);

const list = z
  .string()
  .max(2048)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const int = z.coerce.number().int().min(0).max(9999);

/** GET /search?modality=CT,DX&sex=Female&ageMin=50&ageMax=64&yearMin=2020&description=chest&limit=50&cursor=... */
export const searchQuerySchema = z
  .object({
    ...(Object.fromEntries(FACETS.map((f) => [f, list.optional()])) as Record<FacetName, z.ZodOptional<typeof list>>),
    ageMin: int.optional(),
    ageMax: int.optional(),
    yearMin: int.optional(),
    yearMax: int.optional(),
    description: z.string().min(1).max(128).optional(),
    limit: z.coerce.number().int().min(0).max(MAX_PAGE).default(50),
    cursor: z.string().max(512).optional(),
  })
  .strict();

export function filtersFromQuery(q: z.infer<typeof searchQuerySchema>): SearchFilters {
  const facets: Partial<Record<FacetName, string[]>> = {};
  for (const f of FACETS) if (q[f]?.length) facets[f] = q[f];
  return {
    facets,
    ...(q.ageMin !== undefined || q.ageMax !== undefined ? { age: { min: q.ageMin, max: q.ageMax } } : {}),
    ...(q.yearMin !== undefined || q.yearMax !== undefined ? { year: { min: q.yearMin, max: q.yearMax } } : {}),
    ...(q.description ? { descriptionPrefix: q.description } : {}),
  };
}
