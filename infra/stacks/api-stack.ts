/** Stateless resources: the HTTP API and one function per route group, receiving the table. */
import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { routeGroups, type RouteGroup } from '../../lib/http/routes.ts';
import { functionEntry } from '../bundling.ts';
import { TallyFunction } from '../constructs/tally-function.ts';

export interface ApiStackProps extends StackProps {
  readonly stage: string;
  readonly table: ITable;
  /** Steady-state requests per second across the API, and the burst above it. */
  readonly throttle?: { rateLimit: number; burstLimit: number };
}

export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly functions: Record<RouteGroup, TallyFunction>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const retain = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.api = new HttpApi(this, 'HttpApi', { apiName: `tally-${props.stage}` });

    const functions = {} as Record<RouteGroup, TallyFunction>;
    for (const [group, routes] of Object.entries(routeGroups) as Array<[RouteGroup, (typeof routeGroups)[RouteGroup]]>) {
      const fn = new TallyFunction(this, `${pascal(group)}Function`, {
        functionName: `tally-${props.stage}-${group}`,
        entry: functionEntry(group),
        description: `Tally ${group} routes`,
        logsRemovalPolicy: retain,
      }).bindTable(props.table, 'readWrite');
      const integration = new HttpLambdaIntegration(`${pascal(group)}Integration`, fn);
      for (const r of routes) {
        for (const route of this.api.addRoutes({ path: r.path, methods: [HttpMethod[r.method]], integration })) {
          Validations.of(route).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: 'Every route checks its bearer key (hashed, per store or staff) and role inside the function; the Lambda authorizer comes with issue #5.',
          });
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
      }),
    };
    const throttle = props.throttle ?? { rateLimit: 500, burstLimit: 1000 };
    stage.defaultRouteSettings = { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
