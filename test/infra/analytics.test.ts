/**
 * The optional Athena export over the history day files: off by default, and with context
 * `historyAnalytics=true` a Glue table with partition projection over the files' layout, a
 * workgroup that bounds each query's scan, and the saved queries. Templates only (no bundling).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { builtApp } from '../support/cdk.ts';
import { nagViolations } from '../support/nag.ts';
import { SCAN_LIMIT_BYTES, savedQueries } from '../../infra/constructs/history-analytics.ts';

const synth = (context: Record<string, unknown>) => builtApp({ ...context, 'aws:cdk:bundling-stacks': [] });

// A synth of the whole app (templates only) takes 10–40 s on a busy machine.
describe('History analytics (Athena)', { timeout: 120_000 }, () => {
  it('is off by default: no analytics stack, no Glue or Athena resource anywhere', () => {
    const stacks = synth({ stage: 'dev' });
    expect(stacks.analytics).toBeUndefined();
    for (const s of [stacks.data, stacks.api, stacks.background, stacks.monitoring]) {
      const t = Template.fromStack(s);
      for (const type of ['AWS::Glue::Table', 'AWS::Athena::WorkGroup', 'AWS::Athena::NamedQuery']) t.resourceCountIs(type, 0);
    }
  });

  it('with historyAnalytics=true: a table over history/tenant=…/day=… (JSON Lines, gzip) with tenant injected and day projected', () => {
    const { analytics } = synth({ stage: 'dev', historyAnalytics: 'true' });
    const t = Template.fromStack(analytics!);
    t.resourceCountIs('AWS::Glue::Database', 1);
    const table = Object.values(t.findResources('AWS::Glue::Table'))[0]!.Properties.TableInput;
    expect(table.Name).toBe('history');
    expect(table.PartitionKeys).toEqual([
      { Name: 'tenant', Type: 'string' },
      { Name: 'day', Type: 'string' },
    ]);
    expect(table.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.tenant.type': 'injected',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy-MM-dd',
      compressionType: 'gzip',
    });
    const template = JSON.stringify(table.Parameters['storage.location.template']);
    expect(template).toContain('tally-dev-history-');
    expect(template).toContain('/history/tenant=${tenant}/day=${day}/');
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    const columns = table.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name);
    for (const c of ['kind', 'customerid', 'storeid', 'receiptid', 'at', 'lines', 'coupons']) expect(columns).toContain(c);
    expect(table.StorageDescriptor.Columns.find((c: { Name: string }) => c.Name === 'lines').Type).toContain('amount:bigint');
  });

  it('a workgroup that stops any query past its scan limit and keeps results encrypted, 30 days; the saved queries name the tenant and the days', () => {
    const { analytics } = synth({ stage: 'prod', historyAnalytics: 'true' });
    const t = Template.fromStack(analytics!);
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'tally-prod-analytics',
      WorkGroupConfiguration: { EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: SCAN_LIMIT_BYTES, ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } } },
    });
    t.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Id: 'expire-results' }] } });
    const queries = Object.values(t.findResources('AWS::Athena::NamedQuery')).map((r) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(savedQueries.map((q) => q.name).sort());
    for (const q of queries) {
      expect(q).toMatchObject({ Database: 'tally_prod_history', WorkGroup: 'tally-prod-analytics' });
      // Pruned to one tenant's days, each receipt once.
      expect(q.QueryString).toContain('WHERE tenant = ? AND day BETWEEN ? AND ?');
      expect(q.QueryString).toContain('row_number() OVER (PARTITION BY storeid, receiptid');
    }
  });

  it('passes the AwsSolutions checks (every acknowledgement with its reason)', () => {
    const found = nagViolations((app) => buildApp(app), { stage: 'prod', historyAnalytics: 'true', 'aws:cdk:bundling-stacks': [] });
    expect(found.filter((f) => f.includes('tally-prod-analytics'))).toEqual([]);
  });
});
