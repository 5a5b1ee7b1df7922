/**
 * The optional table export stack (context `tableExport=true`; off by default): DynamoDB's
 * scheduled full export to S3 with Athena over it (infra/constructs/table-export.ts). Its own
 * stack, so turning it on or off never touches the table, the API or the workers; the table's
 * point-in-time recovery, which an export reads, is on in the data stack whatever this says.
 */
import { Aws, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TableExport } from '../constructs/table-export.ts';

export interface ExportStackProps extends StackProps {
  readonly stage: string;
  readonly tableName: string;
  readonly schedule?: string | undefined;
  readonly retentionDays?: number | undefined;
}

export class ExportStack extends Stack {
  readonly tableExport: TableExport;

  constructor(scope: Construct, id: string, props: ExportStackProps) {
    super(scope, id, props);
    // The background stack's alarm topic, by its fixed name: no export between the stacks.
    const alarmTopic = Topic.fromTopicArn(this, 'AlarmTopic', `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:tally-${props.stage}-alarms`);
    this.tableExport = new TableExport(this, 'TableExport', {
      stage: props.stage,
      tableName: props.tableName,
      schedule: props.schedule,
      retentionDays: props.retentionDays,
      logsRemovalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      alarmAction: new SnsAction(alarmTopic),
    });
  }
}
