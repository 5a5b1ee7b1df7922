/** The product catalog (group `catalog`). */
import * as z from '#domain/zod-mini.ts';
import { productBodySchema } from '#domain/catalog.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { pageQuery } from '../schemas.ts';

/** PUT /v1/catalog/{sku}: the product (the path names its SKU). */
export const productBody = productBodySchema;
/** A SKU in a path: any one-line code, percent-encoded. */
export const skuParam = z.string().check(z.minLength(1), z.maxLength(64), z.refine(singleLine, singleLineMessage));
export const catalogQuery = pageQuery;
