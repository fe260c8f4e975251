/** cdk-nag acknowledgements, always with a written reason. */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Rule namespace of cdk-nag's AwsSolutions pack in CDK's validation report. */
export const NAG_NAMESPACE = 'AwsSolutions';
/** The cdk-nag packs the app runs, by their plugin names in CDK's validation report. */
export const NAG_PACKS = [NAG_NAMESPACE, 'Serverless'] as const;

/**
 * Acknowledge a cdk-nag finding (AwsSolutions or Serverless pack) on a construct and its children, always with a
 * written reason.
 *
 * The id is recorded namespaced by its pack (`AwsSolutions::AwsSolutions-XXX`, `Serverless::Serverless-XXX`), so cdk-nag still reports the finding and CDK's
 * validation moves it to `suppressedViolations` in `validation-report.json`, with the reason: an audit trail of every
 * acknowledgement. (An un-namespaced id would make cdk-nag drop the finding silently.)
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  if (!reason.trim()) throw new Error(`Acknowledgement of ${ruleId} on ${scope.node.path} needs a reason`);
  const pack = NAG_PACKS.find((p) => ruleId.startsWith(`${p}-`));
  if (!pack) throw new Error(`Acknowledgement of ${ruleId} on ${scope.node.path}: not a rule of ${NAG_PACKS.join(' or ')}`);
  Validations.of(scope).acknowledge({ id: `${pack}::${ruleId}`, reason });
}
