/** The machine-readable outcome of one task run: one item per thing the task looked at. */
export const ACTIONS = [
  'created',
  'updated',
  'deleted',
  'copied',
  'skipped',
  'unchanged',
  'planned',
  'failed',
] as const;
export type ItemAction = (typeof ACTIONS)[number];

const CHANGES: ReadonlySet<ItemAction> = new Set(['created', 'updated', 'deleted', 'copied']);

export interface ReportItem {
  /** What the item is, e.g. `org/platform-team`, `robot/platform-team+deployer`, `quay.io/a/b:1.0`. */
  ref: string;
  action: ItemAction;
  detail?: string;
  error?: string;
}

export interface ReportDocument {
  task: string;
  ok: boolean;
  dryRun: boolean;
  changed: number;
  failed: number;
  items: readonly ReportItem[];
  durationMs: number;
  /** Set when the run stopped on an error that belongs to no single item. */
  error?: string;
}

export class Report {
  readonly task: string;
  readonly dryRun: boolean;
  readonly items: ReportItem[] = [];
  #error: string | undefined;

  constructor(task: string, dryRun: boolean) {
    this.task = task;
    this.dryRun = dryRun;
  }

  add(item: ReportItem): ReportItem {
    this.items.push(item);
    return item;
  }

  /** Marks the whole run as failed with an error that belongs to no single item. */
  fail(message: string): void {
    this.#error = message;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get changed(): number {
    return this.items.filter((item) => CHANGES.has(item.action)).length;
  }

  get failed(): number {
    return this.items.filter((item) => item.action === 'failed').length;
  }

  get ok(): boolean {
    return this.failed === 0 && this.#error === undefined;
  }

  countsByAction(): Partial<Record<ItemAction, number>> {
    const counts: Partial<Record<ItemAction, number>> = {};
    for (const item of this.items) counts[item.action] = (counts[item.action] ?? 0) + 1;
    return counts;
  }

  /** One line: `3 created, 2 unchanged, 1 failed` or `no change`. */
  summaryLine(): string {
    const counts = this.countsByAction();
    const parts = ACTIONS.filter((a) => counts[a]).map((a) => `${counts[a]} ${a}`);
    const noChange = this.changed === 0 && this.failed === 0;
    if (parts.length === 0) return 'nothing to do: no change';
    return noChange && this.ok && !this.dryRun ? `${parts.join(', ')} — no change` : parts.join(', ');
  }

  toDocument(durationMs: number): ReportDocument {
    const doc: ReportDocument = {
      task: this.task,
      ok: this.ok,
      dryRun: this.dryRun,
      changed: this.changed,
      failed: this.failed,
      // The items themselves, not copies: a mirror run can have 100k of them.
      items: this.items,
      durationMs,
    };
    if (this.#error !== undefined) doc.error = this.#error;
    return doc;
  }
}
