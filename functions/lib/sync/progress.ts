/**
 * How far a full sync has got: steps done of the plan's total, the rate this invocation achieves
 * (steps/s) and the time left at that rate. `full-sync` logs it as a `full-sync progress` line every
 * `everySteps` steps or `everyMs`, whichever comes first; `npm run sync` draws it as a bar.
 */

export interface FullSyncProgress {
  runId: string;
  done: number;
  total: number;
  /** Steps per second in this invocation (0 until one has run). */
  rate: number;
  /** At `rate`; undefined until there is a rate. */
  etaSeconds?: number;
  /** This invocation carries on a run an earlier one started. */
  resumed: boolean;
}

export interface ProgressOptions {
  everySteps?: number;
  everyMs?: number;
  now?: () => number;
}

export class ProgressMeter {
  private readonly startedAt: number;
  private readonly startDone: number;
  private lastAt: number;
  private lastDone: number;
  private readonly now: () => number;

  constructor(
    private readonly runId: string, private readonly total: number, private done: number,
    private readonly resumed: boolean, private readonly options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.lastAt = this.now();
    this.startDone = this.lastDone = done;
  }

  /** Counts `steps` more as done; answers the progress when a line is due. */
  advance(steps = 1): FullSyncProgress | undefined {
    this.done += steps;
    const t = this.now();
    const due = this.done - this.lastDone >= (this.options.everySteps ?? 1000) || t - this.lastAt >= (this.options.everyMs ?? 30_000);
    if (!due) return undefined;
    this.lastAt = t;
    this.lastDone = this.done;
    return this.current();
  }

  current(): FullSyncProgress {
    const seconds = (this.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? (this.done - this.startDone) / seconds : 0;
    const left = this.total - this.done;
    return {
      runId: this.runId, done: this.done, total: this.total, rate: Math.round(rate * 10) / 10,
      ...(rate > 0 && { etaSeconds: Math.ceil(left / rate) }), resumed: this.resumed,
    };
  }
}

/** `12 m 5 s`, `2 h 3 m`: for the bar and the CLI. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
}
