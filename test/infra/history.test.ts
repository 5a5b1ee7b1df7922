/**
 * The simulator's history bucket in the synthesized stack: private, encrypted, TLS only, kept
 * 25 months unless context says otherwise; the report counters may only put day files under
 * history/, the simulation worker may only list and read them; both are told the bucket's name.
 * (test/infra/permissions.test.ts checks these grants against the commands each bundle sends.)
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtApp } from '../support/cdk.ts';
import { HISTORY_MONTHS } from '../../infra/constructs/history-bucket.ts';
import { isCounted } from '#domain/insight.ts';

type Json = Record<string, any>;
const synth = (context: Record<string, unknown>) => {
  const stacks = builtApp({ stage: 'dev', 'aws:cdk:bundling-stacks': [], ...context });
  return { bg: Template.fromStack(stacks.background), data: Template.fromStack(stacks.data), stack: stacks.background };
};

let bg: Template;
let data: Template;

beforeAll(() => {
  ({ bg, data } = synth({}));
}, 120_000);

const historyBucketId = () => Object.entries(bg.findResources('AWS::S3::Bucket')).find(([, r]) => JSON.stringify(r.Properties.BucketName).includes('-history-'))![0];

/** The S3 statements of the role of the function named `tally-dev-{name}`. */
function s3Statements(name: string): Json[] {
  const fns = bg.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `tally-dev-${name}` } });
  const fn = Object.values(fns)[0]!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(bg.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify({ Ref: roleId })))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
    .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
}

describe('History bucket in the stack', () => {
  it('is private, encrypted, TLS only, and forgets day files after 25 months (31 days each); kept on stack deletion in prod only', () => {
    const id = historyBucketId();
    bg.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['tally-dev-history-'])] }),
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'expire-history', Prefix: 'history/', ExpirationInDays: HISTORY_MONTHS * 31, Status: 'Enabled' })] },
      }),
    });
    expect(HISTORY_MONTHS).toBe(25);
    const policy = JSON.stringify(Object.values(bg.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket).includes(id))!.Properties.PolicyDocument);
    expect(policy).toContain('aws:SecureTransport');
  });

  it('keeps it as long as context historyMonths says, and refuses less than a simulated year', () => {
    synth({ stage: 'prod', historyMonths: '37' }).bg.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['tally-prod-history-'])] }),
        LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'expire-history', ExpirationInDays: 37 * 31 })] },
      }),
    });
    expect(() => synth({ historyMonths: '6' })).toThrow(/at least 13/);
    expect(() => synth({ historyMonths: 'many' })).toThrow(/whole number of months/);
  });

  it('lets the report counters put day files under history/ and nothing else, and tells them where', () => {
    const id = historyBucketId();
    bg.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-report-counters', Environment: { Variables: Match.objectLike({ HISTORY_BUCKET: { Ref: id } }) } });
    const statements = s3Statements('report-counters');
    expect(statements.flatMap((s) => [s.Action].flat())).toEqual(['s3:PutObject']);
    // The history is written from what its stream filter lets through (test/infra/reports.test.ts checks the stack applies it).
    expect(isCounted('INSERT', 'receipt') && isCounted('INSERT', 'return')).toBe(true);
    expect(statements.map((s) => s.Resource)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/history/*']] }]);
  });

  it('lets the simulation worker list history/ and read its files, nothing else, and tells it where', () => {
    const id = historyBucketId();
    bg.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-simulation-worker', Environment: { Variables: Match.objectLike({ HISTORY_BUCKET: { Ref: id } }) } });
    const statements = s3Statements('simulation-worker');
    expect(statements.map((s) => [[s.Action].flat(), s.Resource, s.Condition])).toEqual([
      [['s3:ListBucket'], { 'Fn::GetAtt': [id, 'Arn'] }, { StringLike: { 's3:prefix': ['history/*'] } }],
      [['s3:GetObject'], { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/history/*']] }, undefined],
    ]);
  });

  it('writes no history index into the table: receipts are no longer indexed by day', () => {
    const table = Object.values(data.findResources('AWS::DynamoDB::Table'))[0]!;
    const indexes = (table.Properties.GlobalSecondaryIndexes as Json[]).map((g) => g.IndexName);
    expect(indexes).not.toContain('history');
    expect(JSON.stringify(table.Properties.AttributeDefinitions)).not.toContain('hist');
  });
});
