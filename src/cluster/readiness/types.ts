/** A live object as `kubectl get -o json` prints it; read it through the helpers in object-fields.ts. */
export type KubeObject = { readonly [field: string]: unknown };

export type ReadinessState = 'ready' | 'progressing' | 'failed';

/** One object to read, e.g. the CSV a Subscription names. `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Objects to list, e.g. every CSV of a namespace; `labelSelector` in `kubectl -l` syntax. */
export interface ListQuery {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
}

/** Something a rule must read before it can decide: fetch it, record it in the lookup, evaluate again. */
export type Need = { get: ObjectRef } | { list: ListQuery };

/**
 * Objects the caller has already read for this evaluation. `undefined` means "not read yet" (the rule
 * then returns it in `needs`); `null` from `get` means "read, does not exist". A list of a kind the
 * server does not serve is an empty list.
 */
export interface Lookup {
  get(ref: ObjectRef): KubeObject | null | undefined;
  list(query: ListQuery): readonly KubeObject[] | undefined;
}

/** A Subscription's InstallPlan that waits for `spec.approved: true` (OLM never approves a Manual plan). */
export interface InstallPlanApproval {
  installPlan: ObjectRef;
  clusterServiceVersionNames: string[];
}

export interface Verdict {
  state: ReadinessState;
  /** Short and human, e.g. "CSV odf-operator.v4.16.0 Installing". */
  reason: string;
  /** Progressing only: objects to read before the rule can decide; evaluate again once they are recorded. */
  needs?: Need[];
  /**
   * Failed only. `true`: nothing will fix it without a person (give up now). `false`: the controller
   * retries and may recover, so fail only once the state has lasted a grace period (apply-readiness.md
   * §2.1 preamble, §5 goal 8).
   */
  terminal?: boolean;
  /** Failed only: when the failure started (RFC 3339 from the object), if the object says. */
  since?: string;
  /** Progressing only: approve this InstallPlan (`spec.approved: true`) and keep waiting. */
  approve?: InstallPlanApproval;
  /** Progressing only: a custom resource whose controller has not written any status yet (§5 goal 5). */
  awaitingFirstStatus?: boolean;
}

export interface ReadinessContext {
  /** Objects already read; without it, rules that need other objects return `needs`. */
  lookup?: Lookup;
  /** From the config: approve InstallPlans of Subscriptions that wait for approval. */
  approveInstallPlans?: boolean;
}

export interface ReadinessRule {
  /** What the rule waits for, one line, for the plan output (§5 goal 1). */
  describe: string;
  evaluate(object: KubeObject, context: ReadinessContext): Verdict;
}
