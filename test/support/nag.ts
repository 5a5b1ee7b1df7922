/** cdk-nag's AwsSolutions pack over a synthesized app: every unacknowledged violation, as `RULE at path`. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function nagViolations(build: (app: App) => void, context: Record<string, unknown> = { stage: 'prod' }): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'tally-nag-'));
  const app = new App({ context, outdir });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch {
    // Violations make synth throw; the report below lists them either way.
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  rmSync(outdir, { recursive: true, force: true });
  return report.pluginReports.flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
}
