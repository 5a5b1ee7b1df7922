import { describe, expect, it } from 'vitest';
import { routeGroups } from '#lib/http/routes.ts';

describe('routes', () => {
  it('should give every route group at least one route', () => {
    for (const routes of Object.values(routeGroups)) expect(routes.length).toBeGreaterThan(0);
  });
});
