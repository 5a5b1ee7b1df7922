/** cdk-nag's AwsSolutions pack over a synthesized app: every unacknowledged violation, as `RULE at path`. */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { bundlesFunctions, newApp } from './cdk.ts';

export function nagViolations(build: (app: App) => void, context: Record<string, unknown> = { stage: 'prod' }): string[] {
  // An app that bundles shares the infra tests' output directory, and so the bundles already made there.
  const app = newApp(context);
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch {
    // Violations make synth throw; the report below lists them either way.
  }
  const reportFile = join(app.outdir, 'validation-report.json');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  // The shared directory keeps its bundles for the next app; an app of its own goes entirely.
  rmSync(bundlesFunctions(context) ? reportFile : app.outdir, { recursive: true, force: true });
  return report.pluginReports.flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
}
