/**
 * `npm run admin -- tenant create --stage …` against AWS's protocols: the stacks' outputs from
 * CloudFormation (or the `cdk deploy --outputs-file` file) and the first administrator as a
 * Cognito user, both on moto_server; the table is the suite's DynamoDB Local (moto's DynamoDB
 * is not used, FACTS.md). What moto does not check: that `custom:tenant` is in the pool's schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { stackName, stackOutputs } from '../../infra/outputs.ts';
import { handlers } from '../../local/handlers.ts';
import { invoke } from '../support/http.ts';
import { startMoto, type Moto } from '../support/moto.ts';
import { scenarioProgram } from '../integration/harness.ts';
import { admin } from './support.ts';

const STAGE = 'motostage';
const dir = mkdtempSync(join(tmpdir(), 'tally-admin-aws-'));
const program = join(dir, 'program.json');
const stores = join(dir, 'stores.json');
writeFileSync(program, JSON.stringify(scenarioProgram));
writeFileSync(stores, JSON.stringify([{ storeId: 'W-1', name: 'West 1', tags: { region: 'west' } }, { storeId: 'W-2', name: 'West 2', timeZone: 'Asia/Yerevan' }]));

describe('npm run admin against a deployed stage (moto_server)', () => {
  let moto: Moto;
  let cognito: CognitoIdentityProviderClient;
  let userPoolId: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    // The command's SDK clients find these the way the SDK always does (AWS_ENDPOINT_URL_<SERVICE>).
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    cognito = new CognitoIdentityProviderClient(moto.config);
    const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: 'tally-test-staff', AliasAttributes: ['email'], Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: false }] }));
    userPoolId = pool.UserPool!.Id!;
    for (const role of ['admin', 'marketer', 'support', 'auditor']) await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: role }));
    const cf = new CloudFormationClient(moto.config);
    const stack = (name: string, outputs: Record<string, string>) =>
      cf.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify({ Resources: { Nothing: { Type: 'AWS::CloudFormation::WaitConditionHandle' } }, Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])) }) }));
    await stack(stackName(STAGE, 'data'), { [stackOutputs.data.tableName]: process.env.TABLE_NAME! });
    await stack(stackName(STAGE, 'api'), { [stackOutputs.api.apiUrl]: 'https://api.example', [stackOutputs.api.staffUserPoolId]: userPoolId, [stackOutputs.api.staffUserPoolClientId]: 'client-1' });
    cf.destroy();
  });
  afterAll(async () => {
    process.env = saved;
    cognito?.destroy();
    await moto?.stop();
  });

  const create = (tenantId: string, ...more: string[]) =>
    admin('tenant', 'create', '--stage', STAGE, '--region', 'us-east-1', '--tenant', tenantId, '--program', program, '--stores', stores, '--admin-email', 'it@chain.example', '--name', 'West Chain', ...more);

  it('should read the outputs, write the tenant to the stage’s table, and make the first admin a Cognito user of the tenant in the admin group', async () => {
    const tenantId = `west${randomUUID().slice(0, 6)}`;
    const r = await create(tenantId, '--with-key', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ tenantId, programVersion: 1, stores: { registered: 2 }, admin: { kind: 'cognito', username: `${tenantId}.it`, email: 'it@chain.example', created: true }, apiUrl: 'https://api.example' });
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: `${tenantId}.it` }));
    expect(Object.fromEntries(user.UserAttributes!.map((a) => [a.Name, a.Value]))).toMatchObject({ email: 'it@chain.example', 'custom:tenant': tenantId, email_verified: 'true' });
    expect((await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: `${tenantId}.it` }))).Groups!.map((g) => g.GroupName)).toEqual(['admin']);
    // --with-key: an admin key as well, for scripts; it works on the stage's data.
    const tenant = await invoke(handlers, { method: 'GET', path: '/v1/tenant', headers: { authorization: `Bearer ${out.adminKey.key}` } });
    expect(tenant.body).toMatchObject({ tenantId, name: 'West Chain' });

    const again = await create(tenantId, '--json');
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ programPublished: false, stores: { alreadyThere: 2 }, admin: { created: false } });
    expect(again.json().adminKey).toBeUndefined();
  });

  it('should refuse to take over a user of another tenant', async () => {
    const tenantId = `east${randomUUID().slice(0, 6)}`;
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: `${tenantId}.it`, UserAttributes: [{ Name: 'email', Value: 'it@chain.example' }, { Name: 'custom:tenant', Value: 'someone-else' }] }));
    const r = await create(tenantId);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--admin-email: the user .* already exists for tenant "someone-else"/);
  });

  it('should take the outputs from the file cdk deploy --outputs-file writes, and say what is missing', async () => {
    const outputs = join(dir, 'cdk-outputs.json');
    writeFileSync(outputs, JSON.stringify({ [stackName('prod', 'data')]: { TableName: process.env.TABLE_NAME }, [stackName('prod', 'api')]: { ApiUrl: 'https://prod.example', StaffUserPoolId: userPoolId } }));
    const tenantId = `file${randomUUID().slice(0, 6)}`;
    const r = await admin('tenant', 'create', '--stage', 'prod', '--region', 'us-east-1', '--outputs', outputs, '--tenant', tenantId, '--program', program, '--stores', stores, '--admin-email', 'ops@chain.example', '--json');
    expect(r.err).toBe('');
    expect(r.json()).toMatchObject({ admin: { kind: 'cognito', username: `${tenantId}.ops` } });
    writeFileSync(outputs, JSON.stringify({ [stackName('prod', 'data')]: { TableName: 'x' } }));
    const missing = await admin('store', 'list', '--stage', 'prod', '--region', 'eu-central-1', '--outputs', outputs, '--tenant', tenantId);
    expect(missing.err).toMatch(/tally-prod-api have no StaffUserPoolId/);
    const nostack = await admin('store', 'list', '--stage', 'nostage', '--region', 'us-east-1', '--tenant', tenantId);
    expect(nostack.err).toMatch(/stack tally-nostage-data could not be read in us-east-1/);
  });
});
