/** Campaign budgets: every rule, custom-event rule and coupon campaign with a budget, what it used and what is left. */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client.ts';
import { Notice, useAction } from '../../ui/kit.tsx';
import type { PageProps } from '../pages.ts';

type Budgets = Awaited<ReturnType<typeof listBudgets>>;
type Amounts = { grants?: number; points?: number; amount?: number };
const listBudgets = (api: PageProps['api']) => call(api.GET('/v1/budgets'));

const UNITS = [['grants', 'grants'], ['points', 'points'], ['amount', 'money']] as const;
/** "3 grants · 900 points", only the units the budget counts in. */
const amounts = (a: Amounts | undefined, only?: Amounts) =>
  UNITS.filter(([k]) => (only ? only[k] !== undefined : a?.[k] !== undefined && a[k] !== 0)).map(([k, label]) => `${(a?.[k] ?? 0).toLocaleString()} ${label}`).join(' · ') || '—';

export function BudgetsPage({ api }: PageProps) {
  const [budgets, setBudgets] = useState<Budgets | null>(null);
  const { busy, error, run } = useAction();
  const load = () => run(async () => setBudgets(await listBudgets(api)));
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Campaign budgets</h1>
      <Notice error={error} />
      <div class="toolbar"><button type="button" class="secondary" disabled={busy} onClick={() => void load()}>Refresh</button></div>
      {budgets && (budgets.budgets.length === 0 ? <p>No rule or campaign of program version {budgets.programVersion} has a budget.</p> : (
        <table data-testid="budgets">
          <caption>Budgets of program version {budgets.programVersion} (money in minor units; returns give nothing back)</caption>
          <thead><tr><th scope="col">Campaign</th><th scope="col">Used</th><th scope="col">Total</th><th scope="col">Left</th><th scope="col">State</th><th scope="col">Per customer</th></tr></thead>
          <tbody>
            {budgets.budgets.map((b) => (
              <tr key={b.key} data-testid={`budget-${b.key}`}>
                <td>{b.name} <small>({b.kind} {b.id})</small></td>
                <td class="num">{amounts(b.used, b.total)}</td>
                <td class="num">{b.total ? amounts(b.total) : 'no global limit'}</td>
                <td class="num">{b.left ? amounts(b.left, b.total) : '—'}</td>
                <td>{b.spent ? <strong class="error">spent</strong> : 'open'}</td>
                <td>{b.perCustomer ? `${amounts(b.perCustomer)} per ${b.perCustomer.per === 'ever' ? 'customer, ever' : b.perCustomer.per}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </>
  );
}
