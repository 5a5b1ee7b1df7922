/** Stateless resources: the HTTP API and one function per route group, receiving the table. */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { CHANNEL_ENV } from '../../lib/notify/live-channels.ts';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, StandardThreatProtectionMode, StringAttribute, UserPool } from 'aws-cdk-lib/aws-cognito';
import { isPublicRoute, routeGroups, routeKey, staffRoles, type RouteGroup } from '../../lib/http/routes.ts';
import { STAFF_JWT_ENV } from '../../lib/http/staff-token.ts';
import { authorizerEntry, functionEntry } from '../bundling.ts';
import { TallyFunction } from '../constructs/tally-function.ts';
import { stackOutputs } from '../outputs.ts';
import { grantImportLinks } from '../constructs/import-pipeline.ts';
import { WebConsole } from '../constructs/web-console.ts';

export interface ApiStackProps extends StackProps {
  readonly stage: string;
  readonly table: ITable;
  /** The phone lookup key the route functions hash identifiers with. */
  readonly lookupKey?: ISecret;
  /** Where starting a journey sends its audience (the background stack's journeys queue). */
  readonly journeyQueue?: IQueue;
  /** Where POST /v1/simulations puts simulations for the simulation worker. */
  readonly simulationQueue?: IQueue;
  /** Where a replayed webhook delivery goes (the background stack's FIFO delivery queue). */
  readonly webhookDeliveryQueue?: IQueue;
  /** The channels the background stack offers (GET /v1/health reports them). */
  readonly liveChannels?: string;
  /** Grants and environment for sending sign-in links by SMS and e-mail (the links function). */
  readonly linkSending?: { statements: PolicyStatement[]; environment: Record<string, string> };
  /** Steady-state requests per second across the API, and the burst above it. */
  readonly throttle?: { rateLimit: number; burstLimit: number };
  /**
   * How long API Gateway keeps the authorizer's answer for a key (0–3600 s, default 10). Longer
   * saves authorizer invocations (a till's receipts are often further apart than 10 s) but delays
   * a revocation, a deactivated store or a changed store tag by as much.
   */
  readonly authorizerCacheSeconds?: number;
  /**
   * X-Ray on the till's path (the authorizer and the POS routes). Off by default: at the default
   * sampling it costs about as much per million receipts as the Lambda compute itself; the rest of
   * the functions keep active tracing.
   */
  readonly tillPathTracing?: boolean;
}

/** Route groups a till calls on every sale: what `tillPathTracing` applies to. */
export const tillPathGroups: readonly RouteGroup[] = ['pos'];

export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly authorizer: TallyFunction;
  readonly functions: Record<RouteGroup, TallyFunction>;
  readonly staffPool: UserPool;
  readonly webConsole: WebConsole;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const retain = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // POS and staff keys are checked once per key by a Lambda authorizer; API Gateway caches its
    // answer briefly, so a till's steady stream of requests costs no extra key read.
    const authorizerFn = new TallyFunction(this, 'AuthorizerFunction', {
      functionName: `tally-${props.stage}-authorizer`,
      entry: authorizerEntry,
      description: 'Tally API key authorizer',
      memorySize: 256,
      tracing: props.tillPathTracing ? Tracing.ACTIVE : Tracing.DISABLED,
      logsRemovalPolicy: retain,
    }).bindTable(props.table, 'keyLookup');
    this.authorizer = authorizerFn;

    // Staff sign in through a Cognito user pool: its groups are the staff roles, `custom:tenant`
    // the tenant; the same authorizer verifies their ID tokens (lib/http/staff-token.ts).
    this.staffPool = new UserPool(this, 'StaffPool', {
      userPoolName: `tally-${props.stage}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: { tenant: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: retain,
    });
    // SRP sign-in for scripts; no OAuth flows (the CDK's default would allow the implicit grant to
    // example.com), now that the pool has a hosted sign-in domain for the web console's own client.
    const staffClient = this.staffPool.addClient('ConsoleClient', { authFlows: { userSrp: true }, generateSecret: false, preventUserExistenceErrors: true, disableOAuth: true });
    for (const role of staffRoles) {
      new CfnUserPoolGroup(this, `${pascal(role)}Group`, { userPoolId: this.staffPool.userPoolId, groupName: role, description: `Tally ${role}` });
    }
    authorizerFn.addEnvironment(STAFF_JWT_ENV.issuer, this.staffPool.userPoolProviderUrl);
    authorizerFn.addEnvironment(STAFF_JWT_ENV.audience, staffClient.userPoolClientId);
    authorizerFn.addEnvironment(STAFF_JWT_ENV.jwksUrl, `${this.staffPool.userPoolProviderUrl}/.well-known/jwks.json`);
    const authorizer = new HttpLambdaAuthorizer('KeyAuthorizer', authorizerFn, {
      authorizerName: 'api-key',
      identitySource: ['$request.header.Authorization'],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheSeconds ?? 10),
    });
    this.api = new HttpApi(this, 'HttpApi', { apiName: `tally-${props.stage}`, defaultAuthorizer: authorizer });

    const functions = {} as Record<RouteGroup, TallyFunction>;
    for (const [group, routes] of Object.entries(routeGroups) as Array<[RouteGroup, (typeof routeGroups)[RouteGroup]]>) {
      const fn = new TallyFunction(this, `${pascal(group)}Function`, {
        functionName: `tally-${props.stage}-${group}`,
        entry: functionEntry(group),
        description: `Tally ${group} routes`,
        logsRemovalPolicy: retain,
        ...(tillPathGroups.includes(group) && !props.tillPathTracing ? { tracing: Tracing.DISABLED } : {}),
              // pos: one BatchGetItem of a receipt's SKUs in the catalog (lib/storage/catalog.ts);
              // customers: the page of a name search; me: the page of a customer's coupons.
      }).bindTable(props.table, 'readWrite', { batchRead: group === 'customers' || group === 'pos' || group === 'me' });
      // keys, catalog, webhooks, reports, simulations: their functions bundle only the repositories their routes use (functions/http/<group>.ts); none reads a lookup key.
      if (props.lookupKey && !(['keys', 'catalog', 'webhooks', 'reports', 'simulations'] as RouteGroup[]).includes(group)) fn.bindLookupKey(props.lookupKey);
      if (group === 'journeys' && props.journeyQueue) fn.bindQueue(QUEUE_ENV.journeys, props.journeyQueue);
      if (group === 'webhooks' && props.webhookDeliveryQueue) fn.bindQueue(QUEUE_ENV.webhookDeliveries, props.webhookDeliveryQueue);
      if (group === 'tenant' && props.liveChannels !== undefined) fn.addEnvironment(CHANNEL_ENV.live, props.liveChannels);
      if (group === 'imports') grantImportLinks(props.stage, fn);
      if (group === 'simulations' && props.simulationQueue) fn.bindQueue(QUEUE_ENV.simulations, props.simulationQueue);
      if (group === 'links' && props.linkSending) {
        for (const [k, v] of Object.entries(props.linkSending.environment)) fn.addEnvironment(k, v);
        for (const statement of props.linkSending.statements) fn.addToRolePolicy(statement);
      }
      const integration = new HttpLambdaIntegration(`${pascal(group)}Integration`, fn);
      for (const r of routes) {
        // The customer page's sign-in link is exchanged (and asked for) before there is any credential.
        const open = isPublicRoute(routeKey(r));
        const added = this.api.addRoutes({ path: r.path, methods: [HttpMethod[r.method]], integration, ...(open ? { authorizer: new HttpNoneAuthorizer() } : {}) });
        if (open) {
          for (const route of added) {
            Validations.of(route).acknowledge({
              id: 'AwsSolutions-APIG4',
              reason: 'The customer page has no credential before it exchanges a one-time link: the link (one use, 15 minutes, stored as a hash) is the credential, and asking for one is limited per number and per address.',
            });
          }
        }
      }
      functions[group] = fn;
    }
    this.functions = functions;

    // Access logs and throttling live on the default stage, which the L2 exposes only as L1.
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: retain });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationLatencyMs: '$context.integrationLatency',
        ip: '$context.identity.sourceIp',
        time: '$context.requestTime',
        // Who called, from the authorizer's answer: the functions then log a request only when it
        // was refused or failed (lib/http/function.ts), one line per receipt fewer.
        tenantId: '$context.authorizer.tenantId',
        storeId: '$context.authorizer.storeId',
        keyId: '$context.authorizer.keyId',
      }),
    };
    const throttle = props.throttle ?? { rateLimit: 500, burstLimit: 1000 };
    stage.defaultRouteSettings = { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };

    // The console in the browser (S3 + CloudFront, Cognito's hosted sign-in): its app client's
    // ID tokens are for the API too, so the authorizer accepts either client as the audience.
    this.webConsole = new WebConsole(this, 'WebConsole', { stage: props.stage, api: this.api, staffPool: this.staffPool, removalPolicy: retain });
    authorizerFn.addEnvironment(STAFF_JWT_ENV.audience, [staffClient.userPoolClientId, this.webConsole.client.userPoolClientId].join(','));
    // Sign-in links point at the customer page the console's distribution serves.
    functions.links.addEnvironment('CUSTOMER_PAGE_URL', `${this.webConsole.url}/me.html`);

    new CfnOutput(this, stackOutputs.api.apiUrl, { value: this.api.apiEndpoint });
    // The operator's command creates the first administrator in this pool; a console signs in with the client.
    new CfnOutput(this, stackOutputs.api.staffUserPoolId, { value: this.staffPool.userPoolId });
    new CfnOutput(this, stackOutputs.api.staffUserPoolClientId, { value: staffClient.userPoolClientId });
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
