/**
 * Stateful resources: the one table (encrypted with our own KMS key) and the secret that keys
 * the phone lookups. Kept apart so redeploying code never touches data.
 */
import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../lib/storage/table.ts';
import { stackOutputs } from '../outputs.ts';

export interface DataStackProps extends StackProps {
  readonly stage: string;
  readonly deletionProtection: boolean;
}

export class DataStack extends Stack {
  readonly table: Table;
  readonly tableKey: Key;
  readonly lookupKey: Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const removalPolicy = props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.tableKey = new Key(this, 'TableKey', { description: `Tally ${props.stage} table`, enableKeyRotation: true, removalPolicy });
    this.lookupKey = new Secret(this, 'LookupKey', {
      secretName: `tally-${props.stage}-lookup-key`,
      description: 'HMAC key for phone-number lookups (lib/storage/lookup-key.ts)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.lookupKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Every stored phone identifier is keyed by an HMAC under this secret; rotating it means re-keying them, a planned migration, not a schedule.',
    });
    this.table = new Table(this, 'Table', {
      tableName: `tally-${props.stage}`,
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      stream: StreamViewType[tableDefinition.stream],
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
    });
    for (const gsi of tableDefinition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
    // For the operator's command (npm run admin -- tenant create --stage …).
    new CfnOutput(this, stackOutputs.data.tableName, { value: this.table.tableName });
  }
}
