/**
 * Quote and commit fill their lines from the tenant's catalog, the same way, so quote = commit:
 * one cached lookup of the receipt's distinct SKUs (lib/storage/catalog-lookup.ts). Kept apart
 * from the catalog's staff use cases so only the POS function bundles the lookup's BatchGetItem.
 */
import { fillLine, type TillLine } from '#domain/catalog-fill.ts';
import { RuleViolationError } from '#domain/errors.ts';
import { catalogLookup } from '../storage/catalog-lookup.ts';
import { perProcess } from '../storage/per-process.ts';
import type { Deps } from './deps.ts';

/** This process's lookup (and cache) for a table. */
export const catalogLookupOf = perProcess(catalogLookup);

/** A till's line before the catalog filled it: category and attributes may be missing. */
export type OpenLine = TillLine & { readonly lineId: string };

/**
 * The lines with category, attributes and unit price filled from the catalog (the line's own
 * values win). A line whose SKU is not in the catalog must carry its category (422 naming
 * `lines.N.category`).
 */
export async function fillFromCatalog<L extends OpenLine>(deps: Pick<Deps, 'db'>, tenantId: string, lines: readonly L[]): Promise<Array<L & { category: string; unitPrice: number }>> {
  const products = await catalogLookupOf(deps.db).lookup(tenantId, lines.map((l) => l.sku));
  return lines.map((l, i) => {
    const filled = fillLine(l, products.get(l.sku));
    if ('rule' in filled) throw new RuleViolationError(filled.field === 'category' ? 'unknown_sku' : 'too_many_attributes', `lines.${i}.${filled.field}: ${filled.rule}`, `lines.${i}.${filled.field}`);
    return { ...l, category: filled.category, attributes: filled.attributes, unitPrice: filled.unitPrice };
  });
}
