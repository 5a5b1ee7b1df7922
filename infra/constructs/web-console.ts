/**
 * The staff console and customer page in AWS: the built web/ in a private S3 bucket behind
 * CloudFront (origin access control), the API under /v1/* of the same distribution (so the
 * pages call their own origin: no CORS, and the CSP's connect-src stays 'self'), security
 * headers with the CSP from web/csp.ts, and Cognito's hosted sign-in for staff — a user pool
 * domain and an app client with the authorization-code flow (PKCE, no secret) whose callback is
 * the distribution. /config.json tells the console where to sign in.
 */
import { join } from 'node:path';
import { Aws, CfnOutput, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { OAuthScope, UserPoolClientIdentityProvider, type UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy } from '../../web/csp.ts';
import { buildWeb } from '../../web/build.ts';
import { projectRoot } from '../bundling.ts';

export interface WebConsoleProps {
  readonly stage: string;
  readonly api: HttpApi;
  readonly staffPool: UserPool;
  readonly removalPolicy: RemovalPolicy;
}

export class WebConsole extends Construct {
  readonly distribution: Distribution;
  readonly client: UserPoolClient;
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    const bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Holds only the built console (public code, replaced on every deploy); who fetched what is in the CloudFront logs, not S3 server access logs.',
    });

    // Cognito's hosted sign-in: the prefix must be unique in the region, so it carries the account.
    const domain = props.staffPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: `tally-${props.stage}-${Aws.ACCOUNT_ID}` } });
    const signInOrigin = domain.baseUrl();

    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: `tally-${props.stage} console security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(signInOrigin), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    // The API's host name, from its endpoint URL (https://<id>.execute-api.<region>.amazonaws.com).
    const apiHost = `${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `tally-${props.stage} console`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: {
        // The API itself, never cached; every viewer header but Host goes through. An origin request
        // policy may carry Authorization only with caching disabled, and then only the managed
        // AllViewer policies do (AWS re:Post knowledge-center "cloudfront-authorization-header");
        // Host stays out because API Gateway answers only to its own host name.
        '/v1/*': {
          origin: new HttpOrigin(apiHost, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    const cfn = this.distribution;
    Validations.of(cfn).acknowledge({ id: 'AwsSolutions-CFR1', reason: 'Chains and their customers may be anywhere; staff sign-in is protected by Cognito (MFA, threat protection), not by geography.' });
    Validations.of(cfn).acknowledge({ id: 'AwsSolutions-CFR2', reason: 'The pages are static; the API behind /v1 has its own authorizer, per-key throttling and stage limits. A WAF can be attached by the operator.' });
    Validations.of(cfn).acknowledge({ id: 'AwsSolutions-CFR3', reason: 'Access logging needs a log bucket with ACLs; the API keeps its own access logs for every /v1 request.' });
    Validations.of(cfn).acknowledge({ id: 'AwsSolutions-CFR4', reason: 'The default CloudFront certificate; a chain that adds its own domain sets the TLS policy with its certificate.' });
    this.url = `https://${this.distribution.distributionDomainName}`;

    this.client = props.staffPool.addClient('WebConsoleClient', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      idTokenValidity: Duration.hours(1),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
    });

    // The built pages, bundled at synth time by the project's own esbuild (no Docker).
    const site = Source.asset(join(projectRoot, 'web'), {
      exclude: ['dist', 'node_modules'],
      bundling: {
        image: DockerImage.fromRegistry('unused-local-bundling'),
        local: {
          tryBundle(outputDir: string) {
            buildWeb(outputDir);
            return true;
          },
        },
      },
    });
    // Hashed assets first, kept for a year (older pages still in browsers keep theirs: no prune);
    // then the pages and config, which a browser must fetch fresh.
    const assets = new BucketDeployment(this, 'Assets', {
      destinationBucket: bucket,
      sources: [site],
      include: ['assets/*'],
      exclude: ['*'],
      prune: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const config = { authorizeUrl: `${signInOrigin}/oauth2/authorize`, tokenUrl: `${signInOrigin}/oauth2/token`, logoutUrl: `${signInOrigin}/logout`, clientId: this.client.userPoolClientId };
    const pages = new BucketDeployment(this, 'Pages', {
      destinationBucket: bucket,
      sources: [site, Source.jsonData('config.json', config)],
      exclude: ['assets/*', 'meta.json'],
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/me.html', '/config.json'],
    });
    pages.node.addDependency(assets);
    // The deployments share one CDK-provided function (a stack singleton) that copies the files.
    const copier = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))!;
    const deployerReason = "The CDK's own bucket-deployment function: it runs only during a deploy, copying the built console from the CDK asset bucket into the console bucket";
    for (const id of ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'AwsSolutions-L1']) {
      Validations.of(copier).acknowledge({ id, reason: `${deployerReason}; its role and runtime are the CDK's.` });
    }
    for (const what of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', 'Resource::*', 'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', `Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/*`]) {
      Validations.of(copier).acknowledge({ id: `AwsSolutions-IAM5[${what}]`, reason: `${deployerReason}; it reads the asset bucket and writes (and may delete) objects of the console bucket only.` });
    }

    new CfnOutput(Stack.of(this), 'ConsoleUrl', { value: this.url, description: 'The staff console (the customer page is /me.html)' });
  }
}
