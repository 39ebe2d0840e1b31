import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { CHECK_STALE_AFTER_MS } from '../../functions/core/connectors/actions.ts';
import { LOCK_LEASE_MS } from '../../functions/core/deployments/operations.ts';
import { STATE_MACHINE_DIR, substitute } from '../../functions/local/state-machines.ts';

/** The definitions as the local stack loads them (every `${…}` must have a value). */
const VALUES = new Proxy({} as Record<string, string>, {
  get: (_, name) => `arn:aws:lambda:us-east-1:000000000000:function:slipway-${String(name)}`,
});

const files = readdirSync(STATE_MACHINE_DIR).filter((f) => f.endsWith('.asl.json'));
const load = (file: string) =>
  JSON.parse(substitute(readFileSync(join(STATE_MACHINE_DIR, file), 'utf8'), VALUES)) as {
    States: Record<string, Record<string, unknown>>;
    TimeoutSeconds?: number;
    QueryLanguage?: string;
  };

type States = Record<string, Record<string, unknown>>;

/** Every state, those inside Map iterations included. */
const allStates = (definition: { States: States }): [string, Record<string, unknown>][] =>
  Object.entries(definition.States).flatMap(([name, state]): [string, Record<string, unknown>][] => {
    const inner = state.ItemProcessor as { States: States } | undefined;
    return [[name, state], ...(state.Type === 'Map' && inner ? allStates(inner) : [])];
  });

describe('state machine definitions', () => {
  it.each(files)('%s is valid Amazon States Language', (file) => {
    // asl-validator mutates what it checks: give it a copy.
    const { isValid, errorsText } = aslValidator(structuredClone(load(file)));

    expect(isValid, errorsText('\n')).toBe(true);
  });

  it.each(files)('%s uses JSONPath only (the local interpreter mishandles JSONata)', (file) => {
    const text = readFileSync(join(STATE_MACHINE_DIR, file), 'utf8');

    expect(load(file).QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(text).not.toMatch(/\{%|"Arguments"|"Assign"|"Output"/);
  });

  it.each(files)(
    '%s has an overall timeout, and every Task (in Maps too) a timeout and jittered retries',
    (file) => {
      const definition = load(file);
      const tasks = allStates(definition).filter(([, s]) => s.Type === 'Task');

      expect(definition.TimeoutSeconds).toBeGreaterThan(0);
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, state] of tasks) {
        expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
        const retries = state.Retry as { JitterStrategy?: string; ErrorEquals: string[] }[];
        expect(retries.length, name).toBeGreaterThan(0);
        for (const retry of retries) expect(retry.JitterStrategy, name).toBe('FULL');
      }
    },
  );

  it('fits every Task of the publish workflow, each attempt and backoff at its worst, in the execution timeout', () => {
    const definition = load('publish-connector.asl.json');
    const worstCase = Object.values(definition.States)
      .filter((s) => s.Type === 'Task')
      .reduce((total, state) => {
        let seconds = Number(state.TimeoutSeconds);
        // Each retrier counts its own attempts; a wait never exceeds MaxDelaySeconds.
        for (const r of state.Retry as {
          IntervalSeconds: number;
          MaxAttempts: number;
          BackoffRate: number;
          MaxDelaySeconds?: number;
        }[]) {
          for (let k = 0; k < r.MaxAttempts; k++)
            seconds +=
              Number(state.TimeoutSeconds) +
              Math.min(r.IntervalSeconds * r.BackoffRate ** k, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
        }
        return total + seconds;
      }, 0);

    expect(worstCase).toBeLessThanOrEqual(Number(definition.TimeoutSeconds));
    // A draft whose workflow died unreported is unblocked only once the workflow cannot still be running.
    expect(CHECK_STALE_AFTER_MS).toBeGreaterThan(Number(definition.TimeoutSeconds) * 1000);
  });

  it('routes every failure of the publish workflow to the step that records it', () => {
    const { States } = load('publish-connector.asl.json');

    for (const [name, state] of Object.entries(States)) {
      if (state.Type !== 'Task' || name === 'RecordFailure') continue;
      expect(state.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
      ]);
    }
  });

  it('never retries a domain error: only transient and internal errors', () => {
    const { States } = load('publish-connector.asl.json');

    for (const [name, state] of Object.entries(States)) {
      if (name === 'RecordFailure' || state.Type !== 'Task') continue;
      const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(retried, name).not.toContain('States.ALL');
      expect(
        retried.filter((e) => e.startsWith('Slipway.')),
        name,
      ).toEqual([]);
    }
  });

  describe.each(['deploy.asl.json', 'undeploy.asl.json'])('%s', (file) => {
    const { States } = load(file);

    it('routes every failure of a top-level Task or Map to a step-naming Pass, then RecordFailure, then a Fail state', () => {
      for (const [name, state] of Object.entries(States)) {
        if ((state.Type !== 'Task' && state.Type !== 'Map') || name === 'RecordFailure') continue;
        const [caught] = state.Catch as { ErrorEquals: string[]; ResultPath: string; Next: string }[];
        expect(caught, name).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.error' });
        const pass = States[String(caught?.Next)];
        expect(pass, name).toMatchObject({ Type: 'Pass', Next: 'RecordFailure' });
      }
      expect(States.RecordFailure).toMatchObject({ Next: 'OperationFailed' });
      expect(States.OperationFailed).toMatchObject({ Type: 'Fail' });
    });

    it('retries the recording step on anything, and no other step on a domain error', () => {
      const recordFailure = States.RecordFailure as { Retry: { ErrorEquals: string[] }[] };
      expect(recordFailure.Retry.map((r) => r.ErrorEquals)).toContainEqual(['States.ALL']);
      for (const [name, state] of allStates({ States })) {
        if (name === 'RecordFailure' || state.Type !== 'Task') continue;
        const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
        expect(retried, name).not.toContain('States.ALL');
        expect(
          retried.some((e) => e.startsWith('Slipway.')),
          name,
        ).toBe(false);
      }
    });

    it('reads the execution input inside Map iterations only through ItemSelector (the context does not reach them)', () => {
      for (const [name, state] of Object.entries(States)) {
        if (state.Type !== 'Map') continue;
        expect(JSON.stringify(state.ItemProcessor), name).not.toContain('$$.Execution');
        expect(state.ItemSelector, name).toMatchObject({ 'execution.$': '$$.Execution.Input' });
      }
    });
  });

  it('leaves the lock lease longer than a deploy or undeploy execution may run', () => {
    for (const file of ['deploy.asl.json', 'undeploy.asl.json'])
      expect(LOCK_LEASE_MS, file).toBeGreaterThan(Number(load(file).TimeoutSeconds) * 1000);
  });
});
