// Policy as code for Kubernetes ML: rules over plain manifests in packs, with
// suppressions that need a reason; run at synth, in jest, as a cdk8s validation
// plugin or with the `cdk8s-ml` CLI. Plus the capacity and cost report and the
// topology diagram, from the same reading of the manifests.
export { PolicySeverity } from './policy-rule';
export type { IPolicyRule, PolicyViolation } from './policy-rule';
export { PolicyContext } from './policy-context';
export type { PolicyContextOptions, PolicyNodePool, PolicyNodeTaint } from './policy-context';
export { PolicyPack } from './policy-pack';
export type { SecurityPackOptions } from './policy-pack';
export { Policy } from './suppressions';
export type { PolicySuppression } from './suppressions';
export { PolicyReport } from './policy-report';
export type { PolicyFinding } from './policy-report';
export { PolicyEngine } from './policy-engine';
export type { PolicyCheckOptions } from './policy-engine';
export { PolicyChecks } from './policy-checks';
export type { PolicyChecksOptions } from './policy-checks';
export { PolicyTesting } from './policy-testing';
export type { PolicyTestingOptions } from './policy-testing';
export { PriceTable } from './price-table';
export { CapacityReport } from './capacity-report';
export type { CapacityReportOptions } from './capacity-report';
export { DiagramGrouping, TopologyDiagram } from './topology-diagram';
export type { TopologyDiagramOptions } from './topology-diagram';
export { PolicyValidation } from './policy-validation';
export type { PolicyValidationProps } from './policy-validation';
