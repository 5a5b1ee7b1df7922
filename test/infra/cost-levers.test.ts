/**
 * Cost levers the operator sets at deploy time (issue "Cost per receipt"): X-Ray on the till's
 * path and on the functions each receipt sets off, off unless asked for, and how long API Gateway
 * keeps the authorizer's answer.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { builtApp } from '../support/cdk.ts';
import { LISTENER_QUEUE_ARN_ENV } from '#lib/events/routing.ts';

const built = new Map<string, ReturnType<typeof buildApp>>();
/** The app for a context, built once per context (a synth takes seconds). */
function stacks(context: Record<string, unknown>) {
  const key = JSON.stringify(context);
  if (!built.has(key)) {
    // Template assertions only: skipping the functions' bundling keeps a synth to seconds.
    built.set(key, builtApp({ stage: 'dev', ...context, 'aws:cdk:bundling-stacks': [] }));
  }
  return built.get(key)!;
}
const templates = new Map<string, Template>();
const template = (context: Record<string, unknown>, stack: 'api' | 'background'): Template => {
  const key = `${JSON.stringify(context)} ${stack}`;
  if (!templates.has(key)) templates.set(key, Template.fromStack(stacks(context)[stack]));
  return templates.get(key)!;
};
const api = (context: Record<string, unknown>): Template => template(context, 'api');
const functionNamed = (t: Template, name: string) =>
  Object.values(t.findResources('AWS::Lambda::Function')).map((r) => (r as { Properties: Record<string, unknown> }).Properties).find((p) => p.FunctionName === name)!;
const authorizerTtl = (t: Template) =>
  (Object.values(t.findResources('AWS::ApiGatewayV2::Authorizer'))[0] as { Properties: { AuthorizerResultTtlInSeconds: number } }).Properties.AuthorizerResultTtlInSeconds;

describe('Cost levers at deploy time', () => {
  // The first synth loads aws-cdk-lib: seconds to tens of seconds on a busy machine.
  beforeAll(() => void template({}, 'api'), 120_000);

  it('should leave X-Ray off on the till\'s path by default and on elsewhere, and turn it on when asked', () => {
    const plain = api({});
    expect(functionNamed(plain, 'tally-dev-pos').TracingConfig).toBeUndefined();
    expect(functionNamed(plain, 'tally-dev-authorizer').TracingConfig).toBeUndefined();
    expect(functionNamed(plain, 'tally-dev-customers').TracingConfig).toEqual({ Mode: 'Active' });
    const traced = api({ tillPathTracing: 'true' });
    expect(functionNamed(traced, 'tally-dev-pos').TracingConfig).toEqual({ Mode: 'Active' });
    expect(functionNamed(traced, 'tally-dev-authorizer').TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('should leave X-Ray off on the functions every receipt sets off unless asked for, and on for the jobs and the account worker', () => {
    const background = (context: Record<string, unknown>) => template(context, 'background');
    const eventPath = ['tally-dev-outbox', 'tally-dev-notify-worker', 'tally-dev-journey-worker', 'tally-dev-webhook-worker'];
    const plain = background({});
    for (const name of eventPath) expect(functionNamed(plain, name).TracingConfig, name).toBeUndefined();
    for (const name of ['tally-dev-jobs', 'tally-dev-account-worker']) expect(functionNamed(plain, name).TracingConfig, name).toEqual({ Mode: 'Active' });
    const traced = background({ eventPathTracing: 'true' });
    for (const name of eventPath) expect(functionNamed(traced, name).TracingConfig, name).toEqual({ Mode: 'Active' });
  });

  it('should let each worker queue\'s bus rule take only the events the outbox tagged with that queue, and tell the outbox each queue\'s ARN', () => {
    const bg = template({}, 'background');
    const rules = Object.values(bg.findResources('AWS::Events::Rule')).map((r) => (r as { Properties: { Name: string; EventPattern: { resources?: unknown[] }; Targets: Array<{ Arn: unknown }> } }).Properties);
    for (const name of ['tally-dev-notify', 'tally-dev-journeys', 'tally-dev-webhooks']) {
      const rule = rules.find((r) => r.Name === name)!;
      expect(rule.EventPattern.resources, name).toEqual([rule.Targets[0]!.Arn]);
    }
    const env = (functionNamed(bg, 'tally-dev-outbox').Environment as { Variables: Record<string, unknown> }).Variables;
    const targets = Object.fromEntries(rules.map((r) => [r.Name, r.Targets[0]!.Arn]));
    expect(env[LISTENER_QUEUE_ARN_ENV.notify]).toEqual(targets['tally-dev-notify']);
    expect(env[LISTENER_QUEUE_ARN_ENV.journeys]).toEqual(targets['tally-dev-journeys']);
    expect(env[LISTENER_QUEUE_ARN_ENV.webhooks]).toEqual(targets['tally-dev-webhooks']);
  });

  it('should keep the authorizer\'s answer 10 s unless told otherwise, and refuse a cache time out of range, naming the context', () => {
    expect(authorizerTtl(api({}))).toBe(10);
    expect(authorizerTtl(api({ authorizerCacheSeconds: '60' }))).toBe(60);
    expect(() => api({ authorizerCacheSeconds: '7200' })).toThrow(/authorizerCacheSeconds/);
    expect(() => api({ authorizerCacheSeconds: 'soon' })).toThrow(/authorizerCacheSeconds/);
  });

  it('should log JSON everywhere and drop Lambda\'s own per-invocation lines below WARN in prod', () => {
    expect(functionNamed(api({}), 'tally-dev-pos').LoggingConfig).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'INFO' });
    const prod = api({ stage: 'prod' });
    for (const name of ['tally-prod-pos', 'tally-prod-authorizer', 'tally-prod-customers']) {
      expect(functionNamed(prod, name).LoggingConfig, name).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN' });
    }
  });

  it('should batch the report counters a minute in prod and 5 s elsewhere, take a window and a size from context, and refuse either out of range, naming it', () => {
    const reports = (context: Record<string, unknown>) => {
      const fn = Object.entries(template(context, 'background').findResources('AWS::Lambda::Function')).find(([, r]) => (r as { Properties: { FunctionName?: string } }).Properties.FunctionName?.endsWith('-report-counters'))![0];
      const mapping = Object.values(template(context, 'background').findResources('AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify((m as { Properties: unknown }).Properties).includes(fn)) as { Properties: Record<string, unknown> };
      return { window: mapping.Properties.MaximumBatchingWindowInSeconds, size: mapping.Properties.BatchSize };
    };
    expect(reports({})).toEqual({ window: 5, size: 10_000 });
    expect(reports({ stage: 'prod' })).toEqual({ window: 60, size: 10_000 });
    expect(reports({ stage: 'prod', reportsBatchWindow: '300', reportsBatchSize: '2000' })).toEqual({ window: 300, size: 2_000 });
    expect(() => reports({ reportsBatchWindow: '301' })).toThrow(/reportsBatchWindow/);
    expect(() => reports({ reportsBatchSize: '0' })).toThrow(/reportsBatchSize/);
  });

  it('should batch the outbox relay 5 s in prod and 1 s elsewhere, take the window from context, and refuse it out of range, naming it', () => {
    const outbox = (context: Record<string, unknown>) => {
      const fn = Object.entries(template(context, 'background').findResources('AWS::Lambda::Function')).find(([, r]) => (r as { Properties: { FunctionName?: string } }).Properties.FunctionName?.endsWith('-outbox'))![0];
      const mapping = Object.values(template(context, 'background').findResources('AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify((m as { Properties: unknown }).Properties).includes(`"${fn}"`)) as { Properties: Record<string, unknown> };
      return { window: mapping.Properties.MaximumBatchingWindowInSeconds, size: mapping.Properties.BatchSize };
    };
    expect(outbox({})).toEqual({ window: 1, size: 100 });
    expect(outbox({ stage: 'prod' })).toEqual({ window: 5, size: 100 });
    expect(outbox({ stage: 'prod', outboxBatchWindow: '2' })).toEqual({ window: 2, size: 100 });
    expect(() => outbox({ outboxBatchWindow: '301' })).toThrow(/outboxBatchWindow/);
  });

  it('should name the caller in the access log, so the functions need no line of their own for a request that went well', () => {
    const stage = Object.values(api({}).findResources('AWS::ApiGatewayV2::Stage'))[0] as { Properties: { AccessLogSettings: { Format: string } } };
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({ tenantId: '$context.authorizer.tenantId', storeId: '$context.authorizer.storeId', keyId: '$context.authorizer.keyId' });
  });
});
