import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { nagViolations } from '../support/nag.ts';
import { builtApp } from '../support/cdk.ts';
import { isPublicRoute, routeGroups, routeKey } from '#lib/http/routes.ts';
import { WEBHOOK_ENV } from '#lib/config.ts';
import { stackName, stackOutputs } from '../../infra/outputs.ts';
import { segmentEvents } from '#lib/events/catalog.ts';
import { scenario5Program } from '../domain/fixtures-scenarios.ts';

/** `templatesOnly` skips bundling the functions, for a synth whose assertions read only the templates. */
function synth(context: Record<string, unknown>, opts: { templatesOnly?: boolean } = {}) {
  // Built once per context in the infra test process; prod reuses dev's bundles (test/support/cdk.ts).
  const { app, ...stacks } = builtApp(opts.templatesOnly ? { ...context, 'aws:cdk:bundling-stacks': [] } : context);
  return {
    app,
    ...stacks,
    data: Template.fromStack(stacks.data),
    api: Template.fromStack(stacks.api),
    bg: Template.fromStack(stacks.background),
    dataStack: stacks.data,
    apiStack: stacks.api,
  };
}

describe('CDK app', () => {
  let dev: ReturnType<typeof synth>;
  let prod: ReturnType<typeof synth>;

  beforeAll(() => {
    dev = synth({ stage: 'dev' });
    prod = synth({ stage: 'prod' });
  }, 300_000); // Bundles every function once (prod reuses dev's bundles): a minute or more on a busy machine.

  describe('Stack: data', () => {
    it('should make one on-demand table with pk/sk, PITR and a stream for the outbox', () => {
      dev.data.resourceCountIs('AWS::DynamoDB::Table', 1);
      dev.data.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: 'tally-dev',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      });
    });

    it('should protect the prod table from deletion and leave dev deletable, unless context says otherwise', () => {
      prod.data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
      dev.data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
      const overridden = synth({ stage: 'dev', deletionProtection: 'true' }, { templatesOnly: true });
      overridden.data.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    }, 120_000); // synthesizes a whole app again: bundling every function takes ~30 s on a busy machine

    it('should encrypt the table with its own rotating KMS key and keep the phone lookup key in Secrets Manager', () => {
      dev.data.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() } });
      dev.data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      dev.data.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'tally-dev-lookup-key', GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
      for (const group of ['pos', 'customers']) {
        dev.api.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: `tally-dev-${group}`,
          Environment: { Variables: Match.objectLike({ LOOKUP_KEY_SECRET_ARN: Match.anyValue() }) },
        });
      }
    });

    it('should refuse an unknown stage', () => {
      expect(() => buildApp(new App({ context: { stage: 'qa' } }))).toThrow(/stage/);
    });
  });

  describe('Stack: api', () => {
    it('should output what the operator\'s command reads: table, API URL, staff pool and client', () => {
      expect(dev.dataStack.stackName).toBe(stackName('dev', 'data'));
      expect(dev.apiStack.stackName).toBe(stackName('dev', 'api'));
      expect(Object.keys(dev.data.findOutputs('*'))).toEqual(expect.arrayContaining(Object.values(stackOutputs.data)));
      expect(Object.keys(dev.api.findOutputs('*'))).toEqual(expect.arrayContaining(Object.values(stackOutputs.api)));
      dev.data.hasOutput(stackOutputs.data.tableName, { Value: { Ref: Match.anyValue() } });
      dev.api.hasOutput(stackOutputs.api.staffUserPoolId, { Value: { Ref: Match.stringLikeRegexp('StaffPool') } });
    });

    it('should make one arm64 Node.js 22 function per route group, each with its own log group and retention', () => {
      const groups = Object.keys(routeGroups);
      // Besides the route groups: the authorizer, and the CDK's bucket-deployment function that copies the console's files at deploy time.
      dev.api.resourceCountIs('AWS::Lambda::Function', groups.length + 2);
      for (const group of [...groups, 'authorizer']) {
        dev.api.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: `tally-dev-${group}`,
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          // X-Ray is off on the till's path unless asked for (test/infra/cost-levers.test.ts).
          TracingConfig: group === 'pos' || group === 'authorizer' ? Match.absent() : { Mode: 'Active' },
          LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
          Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue(), NODE_OPTIONS: '--enable-source-maps' }) },
        });
      }
      dev.api.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
    });

    it("should stage each function's lazy files beside its bundle, as esbuild builds them after bundling, and load them from there", async () => {
      const assetDir = (fn: string) => {
        const [f] = Object.values(dev.api.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `tally-dev-${fn}` } }));
        return join(dev.app.outdir, `asset.${String(f!.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      };
      const lazy = (fn: string) => readdirSync(assetDir(fn)).filter((f) => f !== 'index.mjs' && f.endsWith('.mjs')).sort();
      expect(lazy('pos')).toEqual(['phone-parser.mjs', 'program-parser.mjs']);
      expect(lazy('programs')).toEqual(['program-parser.mjs', 'program-schema.mjs']);
      expect(lazy('imports')).toEqual(['import-links.mjs', 'program-parser.mjs']);
      expect(lazy('keys')).toEqual([]);
      const { parseProgram } = (await import(pathToFileURL(join(assetDir('pos'), 'program-parser.mjs')).href)) as typeof import('#domain/program.ts');
      expect(parseProgram(scenario5Program).ok).toBe(true);
    });

    it('should put the key authorizer (simple responses, cached briefly) in front of every route', () => {
      dev.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: 10,
      });
      // Every route but the customer page's two sign-in link routes, which take no credential.
      const routes = Object.values(dev.api.findResources('AWS::ApiGatewayV2::Route')).map((r) => [r.Properties.RouteKey as string, r.Properties.AuthorizationType as string]);
      const open = Object.values(routeGroups).flat().filter((r) => isPublicRoute(routeKey(r))).map(routeKey);
      expect(open).toEqual(['POST /v1/links', 'POST /v1/links/exchange']);
      expect(routes.filter(([, type]) => type !== 'CUSTOM').sort()).toEqual(open.map((k) => [k, 'NONE']));
    });

    it('should let staff sign in through a Cognito pool (MFA, no self sign-up, a group per role) that the authorizer trusts', () => {
      dev.api.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolName: 'tally-dev-staff',
        MfaConfiguration: 'ON',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12 }) },
      });
      const groups = Object.values(dev.api.findResources('AWS::Cognito::UserPoolGroup')).map((g) => (g as any).Properties.GroupName).sort();
      expect(groups).toEqual(['admin', 'auditor', 'marketer', 'support']);
      dev.api.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-authorizer',
        Environment: { Variables: Match.objectLike({ STAFF_JWT_ISSUER: Match.anyValue(), STAFF_JWT_AUDIENCE: Match.anyValue(), STAFF_JWKS_URL: Match.anyValue() }) },
      });
    });

    it('should route every line of the route table, and nothing else', () => {
      const expected = Object.values(routeGroups).flat().map(routeKey).sort();
      const routes = dev.api.findResources('AWS::ApiGatewayV2::Route');
      const keys = Object.values(routes).map((r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey).sort();
      expect(keys).toEqual(expected);
    });

    it('should set access logging and throttling on the default stage', () => {
      dev.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
        DefaultRouteSettings: { ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500 },
      });
    });

    it('should grant the functions only item actions on the table: no Scan, no table management, no wildcard resource', () => {
      const policies = dev.api.findResources('AWS::IAM::Policy');
      const statements = Object.values(policies).flatMap(
        (p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }).Properties.PolicyDocument.Statement,
      );
      const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.length).toBe(Object.keys(routeGroups).length + 1);
      const actionSets = dynamo.map((s) => [s.Action].flat().sort().join(','));
      // The authorizer only looks keys up; route functions read and write items; only customers (the
      // export, a page of a name search), the till's catalog lookup and the customer page's coupons read in batches.
      expect(actionSets.filter((a) => a === 'dynamodb:GetItem')).toHaveLength(1);
      expect(actionSets.filter((a) => a.includes('dynamodb:BatchGetItem'))).toHaveLength(3);
      for (const a of actionSets.filter((x) => x !== 'dynamodb:GetItem')) {
        expect(a.replace('dynamodb:BatchGetItem,', '')).toBe('dynamodb:ConditionCheckItem,dynamodb:DeleteItem,dynamodb:GetItem,dynamodb:PutItem,dynamodb:Query,dynamodb:UpdateItem');
      }
      for (const s of dynamo) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    });
  });

  describe('Stack: background', () => {
    it('should give the jobs sparse KEYS_ONLY indexes to query instead of scanning', () => {
      dev.data.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [
          { IndexName: 'birthdays', KeySchema: [{ AttributeName: 'bdayPk', KeyType: 'HASH' }, { AttributeName: 'bdaySk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'expiry', KeySchema: [{ AttributeName: 'expPk', KeyType: 'HASH' }, { AttributeName: 'expSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'release', KeySchema: [{ AttributeName: 'relPk', KeyType: 'HASH' }, { AttributeName: 'relSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'tiers', KeySchema: [{ AttributeName: 'tierPk', KeyType: 'HASH' }, { AttributeName: 'tierSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'refills', KeySchema: [{ AttributeName: 'refPk', KeyType: 'HASH' }, { AttributeName: 'refSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'members', KeySchema: [{ AttributeName: 'memPk', KeyType: 'HASH' }, { AttributeName: 'memSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'names', KeySchema: [{ AttributeName: 'namePk', KeyType: 'HASH' }, { AttributeName: 'nameSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'coupons', KeySchema: [{ AttributeName: 'cpnPk', KeyType: 'HASH' }, { AttributeName: 'cpnSk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        ],
      });
    });

    it('should run the day jobs hourly and the notifications job quarter-hourly through EventBridge Scheduler, with retries, invoking the job function with its name', () => {
      const schedules = Object.values(dev.bg.findResources('AWS::Scheduler::Schedule')).map((r) => (r as { Properties: Record<string, any> }).Properties);
      expect(schedules.map((p) => [JSON.parse(p.Target.Input).job, p.ScheduleExpression]).sort()).toEqual([
        ['birthday', 'cron(15 * * * ? *)'],
        ['expiry', 'cron(5 * * * ? *)'],
        ['insight', 'cron(50 * * * ? *)'],
        ['notifications', 'cron(0/15 * * * ? *)'],
        ['refills', 'cron(35 * * * ? *)'],
        ['segments', 'cron(45 * * * ? *)'],
        ['tiers', 'cron(25 * * * ? *)'],
      ]);
      for (const p of schedules) {
        expect(p.State).toBe('ENABLED');
        expect(p.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
        expect(JSON.stringify(p.Target.Arn)).toContain('JobFunction');
      }
    });

    it('should park failed account messages in an encrypted DLQ after five receives and alarm on it and on age', () => {
      dev.bg.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'tally-dev-accounts',
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 360,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-accounts-dlq', MessageRetentionPeriod: 14 * 24 * 3600 });
      dev.bg.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'tally-dev-accounts-dlq-not-empty',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [Match.anyValue()],
      });
      dev.bg.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tally-dev-accounts-falling-behind', MetricName: 'ApproximateAgeOfOldestMessage' });
    });

    it('should feed the account worker from the queue with partial batch failures reported', () => {
      dev.bg.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
      });
      dev.bg.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-jobs',
        Environment: { Variables: Match.objectLike({ ACCOUNT_QUEUE_URL: Match.anyValue(), TABLE_NAME: Match.anyValue() }) },
      });
    });

    it('should let only the job function send to the account queue, and the worker only consume it', () => {
      const statements = Object.values(dev.bg.findResources('AWS::IAM::Policy')).flatMap(
        (p) => (p as { Properties: { Roles: unknown; PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }).Properties.PolicyDocument.Statement.map((st) => ({ ...st, roles: JSON.stringify((p as any).Properties.Roles) })),
      );
      const onAccountQueue = (st: object) => /"AccountQueue[0-9A-F]+"/.test(JSON.stringify((st as { Resource?: unknown }).Resource));
      const senders = statements.filter((st) => [st.Action].flat().includes('sqs:SendMessage') && onAccountQueue(st));
      expect(senders.map((st) => st.roles)).toEqual([expect.stringContaining('JobFunction')]);
      const consumers = statements.filter((st) => [st.Action].flat().includes('sqs:DeleteMessage') && onAccountQueue(st));
      expect(consumers.map((st) => st.roles)).toEqual([expect.stringContaining('AccountWorker')]);
    });

    it('should relay the table stream to the event bus, bisecting and retrying failures, then parking them', () => {
      dev.bg.hasResourceProperties('AWS::Events::EventBus', { Name: 'tally-dev-events' });
      dev.bg.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90, EventPattern: { source: ['tally'] } });
      dev.bg.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: Match.anyValue(),
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
      dev.bg.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-outbox',
        Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: Match.anyValue() }) },
      });
      const putters = Object.values(dev.bg.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('events:PutEvents'));
      expect(putters.map((p) => JSON.stringify((p as any).Properties.Roles))).toEqual([expect.stringContaining('Outbox')]);
    });
  });

  describe('Stack: background (notifications)', () => {
    it('should route only the events customers hear about from the bus to the notify queue, with a DLQ for delivery failures', () => {
      const rule = Object.values(dev.bg.findResources('AWS::Events::Rule')).map((r) => (r as any).Properties).find((p) => p.Name === 'tally-dev-notify');
      // Only the events the outbox tagged for the notify queue (lib/app/listeners.ts).
      expect(rule.EventPattern).toEqual({ source: ['tally'], 'detail-type': ['receipt.committed', 'birthday.granted', 'points.expiring', 'tier.changed', 'reward.unlocked', 'coupon.issued', 'refill.due', 'points.expired'], resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^NotifyQueue/), 'Arn'] }] });
      expect(rule.Targets[0]).toMatchObject({ DeadLetterConfig: { Arn: expect.anything() }, RetryPolicy: { MaximumRetryAttempts: 10 } });
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-notify', RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
    });

    it('should let the notify worker send on the configured channels only: SMS to numbers, push through its app, e-mail from its identity', () => {
      const configured = synth({ stage: 'dev', emailFrom: 'club@pharmacy.example', sms: 'true', fcmSecretName: 'tally/fcm' }, { templatesOnly: true });
      const statements = (t: Template) =>
        Object.values(t.findResources('AWS::IAM::Policy'))
          .filter((p) => JSON.stringify((p as any).Properties.Roles).includes('NotifyWorker'))
          .flatMap((p) => (p as any).Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource?: unknown; NotResource?: unknown }>);
      const actions = (t: Template) => statements(t).flatMap((st) => [st.Action].flat());
      // Nothing configured: no channel, no grant, no push app.
      for (const a of ['sns:Publish', 'ses:SendEmail', 'mobiletargeting:SendMessages']) expect(actions(dev.bg)).not.toContain(a);
      dev.bg.resourceCountIs('AWS::Pinpoint::App', 0);
      dev.bg.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-notify-worker', Environment: { Variables: Match.objectLike({ TALLY_CHANNELS: '' }) } });
      expect(actions(configured.bg)).toEqual(expect.arrayContaining(['sns:Publish', 'ses:SendEmail', 'mobiletargeting:SendMessages']));
      const ses = statements(configured.bg).find((st) => [st.Action].flat().includes('ses:SendEmail'))!;
      expect(JSON.stringify(ses.Resource)).toContain('identity/pharmacy.example');
      // SMS goes to phone numbers only: no topic or endpoint ARN in any account.
      const sms = statements(configured.bg).find((st) => [st.Action].flat().includes('sns:Publish'))!;
      expect(sms.Resource).toBeUndefined();
      expect(JSON.stringify(sms.NotResource)).toContain(':sns:*:*:*');
      configured.bg.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-notify-worker',
        Environment: { Variables: Match.objectLike({ EMAIL_FROM: 'club@pharmacy.example', PINPOINT_APP_ID: Match.anyValue(), TALLY_CHANNELS: 'sms,email,push', TALLY_PUSH_PLATFORMS: 'GCM' }) },
      });
    }, 120_000); // synthesizes a whole app again: bundling every function takes ~30 s on a busy machine
  });

  describe('Stack: background (segments)', () => {
    it('should feed the events that may change a customer’s defined segments into the account queue', () => {
      const rule = Object.values(dev.bg.findResources('AWS::Events::Rule')).map((r) => (r as any).Properties).find((p) => p.Name === 'tally-dev-segments');
      expect(rule.EventPattern).toEqual({ source: ['tally'], 'detail-type': [...segmentEvents], resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^AccountQueue/), 'Arn'] }] });
      expect(JSON.stringify(rule.Targets)).toContain('AccountQueue');
    });
  });

  describe('Stack: background (journeys)', () => {
    it('should feed every domain event and the journeys API into the journeys queue and its worker', () => {
      const rule = Object.values(dev.bg.findResources('AWS::Events::Rule')).map((r) => (r as any).Properties).find((p) => p.Name === 'tally-dev-journeys');
      expect(rule.EventPattern).toEqual({ source: ['tally'], resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^JourneyQueue/), 'Arn'] }] });
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-journeys', RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
      dev.bg.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-journey-worker' });
      dev.api.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-journeys',
        Environment: { Variables: Match.objectLike({ JOURNEY_QUEUE_URL: Match.anyValue() }) },
      });
    });
  });

  describe('Stack: background (webhooks)', () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    const statementsOf = (t: Template, role: string): Statement[] =>
      Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify((p as any).Properties.Roles).includes(role))
        .flatMap((p) => (p as any).Properties.PolicyDocument.Statement as Statement[]);

    it('should send every Tally event from the bus to the intake queue, with a DLQ for what EventBridge cannot deliver', () => {
      const rule = Object.values(dev.bg.findResources('AWS::Events::Rule')).map((r) => (r as any).Properties).find((p) => p.Name === 'tally-dev-webhooks');
      expect(rule.EventPattern).toEqual({ source: ['tally'], resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^WebhooksIntakeQueue/), 'Arn'] }] });
      expect(JSON.stringify(rule.Targets[0].Arn)).toContain('WebhooksIntakeQueue');
      expect(rule.Targets[0]).toMatchObject({ DeadLetterConfig: { Arn: expect.anything() }, RetryPolicy: { MaximumRetryAttempts: 10 } });
    });

    it('should make the delivery queue FIFO (dedup and throughput per group) with a FIFO DLQ after 50 receives, and alarm past the 24-hour retry window', () => {
      dev.bg.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'tally-dev-webhook-deliveries.fifo',
        FifoQueue: true,
        ContentBasedDeduplication: false,
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 50 },
      });
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-webhook-deliveries-dlq.fifo', FifoQueue: true });
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-webhooks', RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
      dev.bg.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tally-dev-webhook-deliveries-dlq-not-empty', AlarmActions: [Match.anyValue()] });
      dev.bg.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tally-dev-webhook-deliveries-falling-behind', Threshold: 25 * 3600 });
      dev.bg.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'tally-dev-webhooks-dlq-not-empty' });
    });

    it('should feed one worker from both queues with partial batch failures, outside any VPC, never allowing private targets', () => {
      const fn = Object.values(dev.bg.findResources('AWS::Lambda::Function')).map((r) => (r as any).Properties).find((p) => p.FunctionName === 'tally-dev-webhook-worker');
      expect(fn.VpcConfig).toBeUndefined();
      expect(fn.Timeout).toBe(60);
      expect(Object.keys(fn.Environment.Variables)).toEqual(expect.arrayContaining(['WEBHOOK_DELIVERY_QUEUE_URL', 'TABLE_NAME']));
      expect(Object.keys(fn.Environment.Variables)).not.toContain(WEBHOOK_ENV.allowPrivateUrls);
      const mappings = Object.values(dev.bg.findResources('AWS::Lambda::EventSourceMapping'))
        .map((r) => (r as any).Properties)
        .filter((p) => JSON.stringify(p.FunctionName).includes('WebhooksWorker'));
      expect(mappings).toHaveLength(2);
      for (const m of mappings) expect(m).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    });

    it('should let the worker consume both queues, send only to the delivery queue, and the webhooks API function send replays to it', () => {
      const worker = statementsOf(dev.bg, 'WebhooksWorker');
      const on = (name: string) => (s: Statement) => new RegExp(`"Webhooks${name}Queue[0-9A-F]+"`).test(JSON.stringify(s.Resource));
      const actions = (filter: (s: Statement) => boolean) => worker.filter(filter).flatMap((s) => [s.Action].flat());
      expect(actions(on('Intake'))).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
      expect(actions(on('Intake'))).not.toContain('sqs:SendMessage');
      expect(actions(on('Delivery'))).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage']));
      expect(worker.flatMap((s) => [s.Action].flat())).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
      dev.api.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-webhooks', Environment: { Variables: Match.objectLike({ WEBHOOK_DELIVERY_QUEUE_URL: Match.anyValue() }) } });
      expect(statementsOf(dev.api, 'WebhooksFunction').flatMap((s) => [s.Action].flat())).toContain('sqs:SendMessage');
    });
  });

  describe('Stack: background (imports)', () => {
    const statements = (t: Template, fn: string) =>
      Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify((p as any).Properties.Roles).includes(fn))
        .flatMap((p) => (p as any).Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);

    it('should keep import files in an encrypted, TLS-only, private bucket that forgets them after 30 days', () => {
      dev.bg.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })] },
      });
      const policy = Object.values(dev.bg.findResources('AWS::S3::BucketPolicy')).map((p) => JSON.stringify((p as any).Properties.PolicyDocument));
      expect(policy.some((p) => p.includes('"aws:SecureTransport":"false"') && p.includes('"Effect":"Deny"'))).toBe(true);
      prod.bg.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    });

    it('should tell the import queue (with its DLQ) about new files under imports/, from this bucket only, without a custom resource', () => {
      dev.bg.hasResourceProperties('AWS::S3::Bucket', {
        NotificationConfiguration: { QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: Match.anyValue(), Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'imports/' }] } } }] },
      });
      dev.bg.resourceCountIs('Custom::S3BucketNotifications', 0);
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-imports', VisibilityTimeout: 6 * 900, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
      dev.bg.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'tally-dev-imports-dlq' });
      const queuePolicies = Object.values(dev.bg.findResources('AWS::SQS::QueuePolicy')).map((p) => JSON.stringify((p as any).Properties.PolicyDocument));
      expect(queuePolicies.some((p) => p.includes('s3.amazonaws.com') && p.includes('aws:SourceArn') && p.includes('aws:SourceAccount'))).toBe(true);
    });

    it('should run the import worker for up to 15 minutes, one file per invocation, with exactly the S3, SQS and table grants it uses', () => {
      dev.bg.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-import-worker',
        Timeout: 900,
        Environment: { Variables: Match.objectLike({ IMPORT_BUCKET: Match.anyValue(), IMPORT_QUEUE_URL: Match.anyValue(), LOOKUP_KEY_SECRET_ARN: Match.anyValue(), TABLE_NAME: Match.anyValue() }) },
      });
      dev.bg.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
      const actions = statements(dev.bg, 'ImportsWorkerRole').flatMap((s) => [s.Action].flat());
      expect(actions.filter((a) => a.startsWith('s3:')).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject']);
      expect(actions).toContain('sqs:SendMessage');
      const s3Resources = statements(dev.bg, 'ImportsWorkerRole').filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:'))).map((s) => JSON.stringify(s.Resource));
      expect(s3Resources.every((r) => r.includes('/imports/*'))).toBe(true);
      // The imports route function signs upload and report links under imports/ only.
      dev.api.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-imports', Environment: { Variables: Match.objectLike({ IMPORT_BUCKET: Match.anyValue() }) } });
      const routeS3 = statements(dev.api, 'ImportsFunctionRole').filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
      expect(routeS3.flatMap((s) => [s.Action].flat()).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(routeS3.every((s) => JSON.stringify(s.Resource).includes('/imports/*'))).toBe(true);
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    it('should find nothing unacknowledged in the prod stacks (each acknowledgement carries its reason)', () => {
      expect(nagViolations((app) => buildApp(app))).toEqual([]);
    }, 120_000);

    it('should find nothing unacknowledged with every channel and the alarm e-mail configured', () => {
      const configured = {
        stage: 'prod',
        emailFrom: 'club@pharmacy.example',
        sms: 'true',
        smsSenderId: 'Pharmacy',
        apnsSecretName: 'tally/apns',
        fcmSecretName: 'tally/fcm',
        alarmEmail: 'ops@pharmacy.example',
        'aws:cdk:bundling-stacks': [], // the rules read templates only
      };
      expect(nagViolations((app) => buildApp(app), configured)).toEqual([]);
    }, 120_000);

    it('should still catch a violation (guards the check above against passing vacuously)', () => {
      expect(nagViolations((app) => new Queue(new Stack(app, 'Bad'), 'Q')).length).toBeGreaterThan(0);
    });
  });
});
