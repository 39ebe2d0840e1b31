/**
 * The smoke's steps and what they leave behind. Each step prints one line, `✓ <step> (<ms> ms)`
 * and a detail, or `✗ <step>: <reason>`; the first failure stops the run. Whatever a step
 * creates is registered for removal at once, so a run that fails half-way (or is interrupted)
 * still removes it, best effort, and running the smoke again starts clean.
 */
import { describe, SmokeError } from './http.ts';

/** Thrown once a step's failure has been printed: the run ends with exit code 1. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
}

export type Out = (line: string) => void;

/** A step's body; `note` adds a short detail after its time (an address, a status). */
export type StepBody<T> = (note: (detail: string) => void) => Promise<T>;

export const stepper =
  (out: Out) =>
  async <T>(name: string, body: StepBody<T>): Promise<T> => {
    const started = performance.now();
    const details: string[] = [];
    try {
      const value = await body((detail) => details.push(detail));
      const ms = Math.round(performance.now() - started);
      out(`✓ ${name} (${ms} ms)${details.length > 0 ? `  ${details.join(', ')}` : ''}`);
      return value;
    } catch (error) {
      // A SmokeError is a reason already; anything else is a bug here or an unexpected answer.
      const reason = error instanceof SmokeError ? error.message : describe(error);
      out(`✗ ${name}: ${reason}`);
      throw new StepFailed(reason);
    }
  };

export type Step = ReturnType<typeof stepper>;

interface Leftover {
  what: string;
  remove: () => Promise<void>;
}

/** Resources to remove if the flow does not get to remove them itself. */
export class Leftovers {
  private readonly items: Leftover[] = [];

  /** Registers `what`; the returned function is called once the flow has removed it itself. */
  add(what: string, remove: () => Promise<void>): () => void {
    const item = { what, remove };
    this.items.push(item);
    return () => {
      const at = this.items.indexOf(item);
      if (at !== -1) this.items.splice(at, 1);
    };
  }

  /** Removes what is left, newest first; a failure is reported and the rest still tried. */
  async removeAll(out: Out): Promise<void> {
    for (const item of this.items.splice(0).reverse()) {
      try {
        await item.remove();
        out(`  cleanup: removed ${item.what}`);
      } catch (error) {
        const reason = error instanceof SmokeError ? error.message : describe(error);
        out(`  cleanup: could not remove ${item.what}: ${reason}`);
      }
    }
  }
}

/** What a dialect's flow is given. */
export interface Smoke {
  step: Step;
  /** Calls of the run (Ctrl-C interrupts them). */
  call: import('./http.ts').Call;
  /** Calls of the cleanup, which still run after Ctrl-C. */
  cleanupCall: import('./http.ts').Call;
  leftovers: Leftovers;
  signal: AbortSignal;
  /** How long a wait may take (for Deployed, an upload's event, an undeploy). */
  timeoutMs: number;
  /** Unique to this run: names of everything it creates. */
  name: string;
  /** The examples' folder. */
  examples: string;
}
