/**
 * The stack outputs the operator's command (scripts/admin.ts) reads, by stack: named once here
 * for the stacks that write them and the command that reads them (from CloudFormation, or from
 * the file `cdk deploy --outputs-file` writes).
 */
export const stackOutputs = {
  data: { tableName: 'TableName' },
  api: { apiUrl: 'ApiUrl', staffUserPoolId: 'StaffUserPoolId', staffUserPoolClientId: 'StaffUserPoolClientId' },
} as const;

/** `tally-<stage>-data`, `tally-<stage>-api`: the names infra/app.ts gives the stacks. */
export const stackName = (stage: string, part: keyof typeof stackOutputs): string => `tally-${stage}-${part}`;
