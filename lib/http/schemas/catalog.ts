/** The product catalog (group `catalog`). */
import * as z from 'zod';
import { productBodySchema } from '#domain/catalog.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { pageQuery } from '../schemas.ts';

/** PUT /v1/catalog/{sku}: the product (the path names its SKU). */
export const productBody = productBodySchema;
/** A SKU in a path: any one-line code, percent-encoded. */
export const skuParam = z.string().min(1).max(64).refine(singleLine, singleLineMessage);
export const catalogQuery = pageQuery;
