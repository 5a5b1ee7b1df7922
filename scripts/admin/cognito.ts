/**
 * The first administrator of a tenant in AWS: a user of the stack's staff pool with the tenant
 * in `custom:tenant` and in the `admin` group (what lib/http/staff-token.ts reads from the ID
 * token). Cognito e-mails the invitation with a temporary password; the pool requires MFA, set
 * up at the first sign-in. Safe to repeat: an existing user of the same tenant is kept and put
 * in the group again (a no-op); one of another tenant is refused.
 * Used by the operator's command only, never by a Lambda.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';

export interface CognitoAdmin {
  readonly kind: 'cognito';
  readonly username: string;
  readonly email: string;
  /** False when the user was already there (a repeated run). */
  readonly created: boolean;
}

/**
 * The pool lets staff sign in with their e-mail as an alias, so the user name may not look like
 * an e-mail: it is `<tenant>.<local part>`, stable, so a repeated run finds the same user.
 */
export const adminUsername = (tenantId: string, email: string): string =>
  `${tenantId}.${email.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 128);

export async function createCognitoAdmin(cognito: CognitoIdentityProviderClient, userPoolId: string, tenantId: string, email: string): Promise<CognitoAdmin> {
  const username = adminUsername(tenantId, email);
  let created = true;
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributes: [
          { Name: 'email', Value: email },
          // The operator vouches for the address; the invitation goes to it.
          { Name: 'email_verified', Value: 'true' },
          { Name: 'custom:tenant', Value: tenantId },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  } catch (e) {
    if (!(e instanceof UsernameExistsException) && (e as Error).name !== 'UsernameExistsException') throw e;
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
    const attr = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
    if (attr('custom:tenant') !== tenantId) {
      throw new Error(`--admin-email: the user ${username} already exists for tenant "${attr('custom:tenant')}", not "${tenantId}"`);
    }
    if (attr('email') !== email) throw new Error(`--admin-email: the user ${username} already exists with another e-mail address`);
    created = false;
  }
  await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: 'admin' }));
  return { kind: 'cognito', username, email, created };
}
