// Pure readiness rules for apply-ordered (no I/O): given a live object (and the few other objects a rule
// asks for through `needs`), say whether it is ready, progressing or failed. apply-readiness.md §2, §5.
export {
  type Clause,
  type CustomReadinessRule,
  checkCustomRules,
  FAILED_WHEN_ANNOTATION,
  parseClauses,
  READY_WHEN_ANNOTATION,
  ReadyWhenSyntaxError,
} from './custom-rules.js';
export { compileJsonPath, evaluateJsonPath, type JsonPath, JsonPathError, jsonPathText } from './jsonpath.js';
export { FetchedObjects, listKey, needKey, refKey } from './lookup.js';
export { asKubeObject, describeObject } from './object-fields.js';
export { builtInRuleFor, type EvaluateOptions, evaluateReadiness, ruleFor } from './rule-for.js';
export type {
  InstallPlanApproval,
  KubeObject,
  ListQuery,
  Lookup,
  Need,
  ObjectRef,
  ReadinessContext,
  ReadinessRule,
  ReadinessState,
  Verdict,
} from './types.js';
