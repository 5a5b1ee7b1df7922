/**
 * The console's hosting in the synthesized API stack: a private bucket behind CloudFront with the
 * CSP from web/csp.ts, the API under /v1/* of the same distribution, and Cognito's hosted sign-in
 * (a domain and a code-flow app client whose callback is the distribution), whose tokens the
 * authorizer accepts. Templates only: the functions are not bundled here.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtApp } from '../support/cdk.ts';
import { STAFF_JWT_ENV } from '#lib/http/staff-token.ts';

describe('Web console hosting (infra/constructs/web-console.ts)', () => {
  let api: Template;
  type Resource = { Type: string; Properties: Record<string, any> };
  let json: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
  const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type) as Array<[string, Resource]>;
  const only = (type: string): [string, Resource] => {
    const found = ofType(type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(() => {
    api = Template.fromStack(builtApp({ stage: 'prod', 'aws:cdk:bundling-stacks': [] }).api);
    json = api.toJSON() as typeof json;
  }, 120_000);

  it('serves the pages from a private bucket through CloudFront, with the API under /v1/* uncached', () => {
    api.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    api.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const [, dist] = only('AWS::CloudFront::Distribution');
    const config = dist.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const apiBehavior = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/v1/*');
    expect(apiBehavior).toMatchObject({
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader: Authorization goes through
      ViewerProtocolPolicy: 'https-only',
    });
    const apiOrigin = config.Origins.find((o: { Id: string }) => o.Id === apiBehavior.TargetOriginId);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('HttpApi');
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('sends the CSP and security headers on every page, allowing only its own origin and the sign-in domain', () => {
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", 'connect-src']) expect(csp).toContain(part);
    // The sign-in origin in connect-src is the stack's own Cognito domain.
    const [domainId] = only('AWS::Cognito::UserPoolDomain');
    expect(csp).toContain(domainId);
    expect(csp).not.toContain('unsafe-inline');
    expect(headers).toMatchObject({ ContentTypeOptions: { Override: true }, FrameOptions: { FrameOption: 'DENY' }, StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000 } });
  });

  it('signs staff in with Cognito’s hosted sign-in: a code-flow client without a secret, called back at the distribution', () => {
    const [distId] = only('AWS::CloudFront::Distribution');
    const clients: Array<Record<string, any>> = ofType('AWS::Cognito::UserPoolClient').map(([id, r]) => ({ id, ...r.Properties }));
    const web = clients.find((c) => c.AllowedOAuthFlows);
    // Only the console's client has OAuth flows: the scripts' client signs in with SRP alone.
    expect(clients.filter((c) => c.AllowedOAuthFlows)).toHaveLength(1);
    expect(web).toMatchObject({ AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, GenerateSecret: false, SupportedIdentityProviders: ['COGNITO'] });
    expect(web!.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(JSON.stringify(web!.CallbackURLs)).toContain(`"${distId}","DomainName"`);
    // The authorizer takes ID tokens from either client of the pool.
    const authorizer = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === 'tally-prod-authorizer')![1];
    const audience = JSON.stringify(authorizer.Properties.Environment.Variables[STAFF_JWT_ENV.audience]);
    for (const c of clients) expect(audience).toContain(c.id);
  });

  it('deploys the hashed assets for a year and the pages and config fresh, then invalidates the pages', () => {
    const deployments = ofType('Custom::CDKBucketDeployment').map(([, r]) => r.Properties);
    expect(deployments).toHaveLength(2);
    const assets = deployments.find((d) => JSON.stringify(d.Include ?? []).includes('assets/*'))!;
    const pages = deployments.find((d) => d !== assets)!;
    expect(assets).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(pages).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'no-cache' }, DistributionPaths: expect.arrayContaining(['/index.html', '/me.html', '/config.json']) });
    expect(pages.SourceMarkers?.length ?? pages.SourceObjectKeys.length).toBe(2); // the build and config.json
    api.hasOutput('ConsoleUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });
});
