/**
 * One stack of clean-up actions, run in reverse order of registration.
 * Every failure is collected; all actions run even when some fail.
 */
export type TeardownAction = () => Promise<void> | void;

export class TeardownStack {
  private readonly actions: { label: string; action: TeardownAction }[] = [];

  push(label: string, action: TeardownAction): void {
    this.actions.push({ label, action });
  }

  get size(): number {
    return this.actions.length;
  }

  async run(): Promise<void> {
    const errors: string[] = [];
    while (this.actions.length > 0) {
      const { label, action } = this.actions.pop()!;
      try {
        await action();
      } catch (error) {
        errors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (errors.length > 0) {
      throw new Error(`teardown had ${errors.length} failure(s):\n${errors.join('\n')}`);
    }
  }
}
