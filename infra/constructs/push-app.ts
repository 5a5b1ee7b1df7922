/**
 * Push through AWS End User Messaging push (Pinpoint's `SendMessages` to device tokens): an
 * application with an APNs channel, an FCM channel, or both, their credentials read by
 * CloudFormation from Secrets Manager (dynamic references: the values never enter the template).
 * Without credentials there is no channel and every send would fail, so the stack creates this
 * only when at least one secret is named, and offers push only then.
 *
 * - APNs: a secret whose value is JSON `{"bundleId", "teamId", "keyId", "tokenKey"}`, the token
 *   key being the contents of the `.p8` file Apple issues (token authentication).
 * - FCM: a secret whose value is the Firebase service account's JSON file (FCM HTTP v1).
 *
 * CloudFormation resolves a secret when the channel resource is created or changes; after
 * replacing credentials in a secret, update the channel with the matching `aws pinpoint
 * update-apns-channel` / `update-gcm-channel` call (see README, "Deploy to AWS").
 */
import { SecretValue, Validations, type CfnResource } from 'aws-cdk-lib';
import { CfnAPNSChannel, CfnApp, CfnGCMChannel } from 'aws-cdk-lib/aws-pinpoint';
import { Construct } from 'constructs';
import type { PushPlatform } from '../../lib/notify/live-channels.ts';

export interface PushAppProps {
  readonly appName: string;
  /** Name or ARN of the APNs credentials secret. */
  readonly apnsSecretName?: string | undefined;
  /** Name or ARN of the FCM service account secret. */
  readonly fcmSecretName?: string | undefined;
}

export class PushApp extends Construct {
  readonly applicationId: string;
  /** What `mobiletargeting:SendMessages` is granted on. */
  readonly messagesArn: string;
  readonly platforms: readonly PushPlatform[];

  constructor(scope: Construct, id: string, props: PushAppProps) {
    super(scope, id);
    if (!props.apnsSecretName && !props.fcmSecretName) throw new Error('PushApp needs an APNs or an FCM secret');
    const app = new CfnApp(this, 'Resource', { name: props.appName });
    this.applicationId = app.ref;
    this.messagesArn = `${app.attrArn}/messages`;
    const platforms: PushPlatform[] = [];
    const resources: CfnResource[] = [app];
    if (props.apnsSecretName) {
      const field = (jsonField: string) => SecretValue.secretsManager(props.apnsSecretName!, { jsonField }).unsafeUnwrap();
      resources.push(
        new CfnAPNSChannel(this, 'Apns', {
          applicationId: app.ref,
          defaultAuthenticationMethod: 'TOKEN',
          bundleId: field('bundleId'),
          teamId: field('teamId'),
          tokenKeyId: field('keyId'),
          tokenKey: field('tokenKey'),
          enabled: true,
        }),
      );
      platforms.push('APNS');
    }
    if (props.fcmSecretName) {
      resources.push(
        new CfnGCMChannel(this, 'Fcm', {
          applicationId: app.ref,
          defaultAuthenticationMethod: 'TOKEN',
          serviceJson: SecretValue.secretsManager(props.fcmSecretName).unsafeUnwrap(),
          enabled: true,
        }),
      );
      platforms.push('GCM');
    }
    this.platforms = platforms;
    for (const resource of resources) {
      // cfn-lint's W3696 says Pinpoint's engagement features ended: true, and not what this uses.
      resource.addMetadata('cfn-lint', { config: { ignore_checks: ['W3696'] } });
      Validations.of(resource).acknowledge({
        id: 'CloudFormation-Validate::W3696',
        reason: "Pinpoint's engagement features ended on 30 Oct 2026; push through SendMessages (End User Messaging) still needs this application and its channels.",
      });
    }
  }
}
