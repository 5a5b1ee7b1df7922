/**
 * The CDK app: `npx cdk synth -c stage=prod`. The stage comes from context and is validated; it
 * names every resource and decides retention and deletion protection.
 */
import { App, Tags } from 'aws-cdk-lib';
import { ApiStack } from './stacks/api-stack.ts';
import { BackgroundStack } from './stacks/background-stack.ts';
import { DataStack } from './stacks/data-stack.ts';

export const stages = ['local', 'dev', 'prod'] as const;
export type Stage = (typeof stages)[number];

export function buildApp(app: App): { data: DataStack; api: ApiStack; background: BackgroundStack; stage: Stage } {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!(stages as readonly string[]).includes(stage)) {
    throw new Error(`context "stage" must be one of ${stages.join(', ')}; got "${stage}"`);
  }
  const protection = app.node.tryGetContext('deletionProtection');
  const deletionProtection = protection === undefined ? stage === 'prod' : protection === true || protection === 'true';
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const data = new DataStack(app, `tally-${stage}-data`, { stage, deletionProtection, env });
  const background = new BackgroundStack(app, `tally-${stage}-background`, {
    stage,
    table: data.table,
    emailFrom: app.node.tryGetContext('emailFrom') as string | undefined,
    smsSenderId: app.node.tryGetContext('smsSenderId') as string | undefined,
    lookupKey: data.lookupKey,
    env,
  });
  const api = new ApiStack(app, `tally-${stage}-api`, { stage, table: data.table, lookupKey: data.lookupKey, journeyQueue: background.journeys.queue, env });
  Tags.of(app).add('app', 'tally');
  Tags.of(app).add('stage', stage);
  return { data, api, background, stage: stage as Stage };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = new App();
  buildApp(app);
  app.synth();
}
