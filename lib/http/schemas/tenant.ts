/** Stores and the tenant's settings (group `tenant`). */
import { pageQuery } from '../schemas.ts';

/** Stores and tenant settings: the rules live with the domain (the operator's command uses them too). */
export { storeSchema as createStoreBody, storePatchSchema as updateStoreBody, tenantPatchSchema as updateTenantBody } from '#domain/tenant.ts';

export const storesQuery = pageQuery;
