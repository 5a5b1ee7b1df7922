/**
 * The console's pages, one per API area. A page is shown to a role when the route table
 * (lib/http/routes.ts, the API's one place for roles) lets that role call the route the page
 * reads; actions inside a page ask the same table.
 */
import type { FunctionComponent } from 'preact';
import { routeSpec, type RouteKey } from '../../../lib/http/routes.ts';
import type { Api } from '../api/client.ts';
import type { Session, StaffRole } from './auth.ts';
import { CustomersPage } from './pages/customers.tsx';
import { ProgramPage } from './pages/program.tsx';
import { CouponsPage } from './pages/coupons.tsx';
import { JourneysPage } from './pages/journeys.tsx';
import { StoresPage } from './pages/stores.tsx';
import { KeysPage } from './pages/keys.tsx';
import { AuditPage } from './pages/audit.tsx';
import { ReportsPage } from './pages/reports.tsx';
import { SegmentsPage } from './pages/segments.tsx';
import { SimulatorPage } from './pages/simulator.tsx';
import { BudgetsPage } from './pages/budgets.tsx';

export interface PageProps {
  readonly api: Api;
  readonly session: Session;
  /** The hash route's parts after the page id: `#/customers/C-1` → ['C-1']. */
  readonly params: readonly string[];
}

export interface ConsolePage {
  readonly id: string;
  readonly title: string;
  /** The route the page reads; who may call it may see the page. */
  readonly needs: RouteKey;
  readonly component: FunctionComponent<PageProps>;
}

export const may = (role: StaffRole, route: RouteKey): boolean => (routeSpec(route)?.roles as readonly string[] | undefined)?.includes(role) ?? false;

export const consolePages: readonly ConsolePage[] = [
  { id: 'customers', title: 'Customers', needs: 'GET /v1/customers/{customerId}', component: CustomersPage },
  { id: 'program', title: 'Program', needs: 'GET /v1/program', component: ProgramPage },
  { id: 'coupons', title: 'Coupons', needs: 'GET /v1/coupons/{code}', component: CouponsPage },
  { id: 'journeys', title: 'Journeys', needs: 'GET /v1/journeys', component: JourneysPage },
  { id: 'stores', title: 'Stores', needs: 'GET /v1/stores', component: StoresPage },
  { id: 'keys', title: 'Keys', needs: 'GET /v1/keys', component: KeysPage },
  { id: 'audit', title: 'Audit trail', needs: 'GET /v1/audit', component: AuditPage },
  { id: 'reports', title: 'Reports', needs: 'GET /v1/reports/points', component: ReportsPage },
  { id: 'segments', title: 'Segments', needs: 'GET /v1/segments', component: SegmentsPage },
  { id: 'simulator', title: 'Simulator', needs: 'GET /v1/simulations/{simulationId}', component: SimulatorPage },
  { id: 'budgets', title: 'Budgets', needs: 'GET /v1/budgets', component: BudgetsPage },
];

export const pagesFor = (role: StaffRole) => consolePages.filter((p) => may(role, p.needs));
