import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalStateMachine, TaskInvoker } from './sfn-protocol.ts';

export const STATE_MACHINE_DIR = join(import.meta.dirname, '..', '..', 'statemachine');

/** Local names of the functions that Task states call: `slipway-<handler file name>`. */
export const localFunctionArn = (name: string) =>
  `arn:aws:lambda:us-east-1:000000000000:function:slipway-${name}`;

/**
 * Replaces `${Name}` placeholders, as CDK's `definitionSubstitutions` does on AWS. An
 * unresolved placeholder is an error, not a silent literal.
 */
export const substitute = (text: string, values: Record<string, string>): string =>
  text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No substitution for \${${name}}`);
    return value;
  });

/** Every `statemachine/*.asl.json`, named `slipway-<file>` as on AWS. */
export const loadStateMachines = (
  values: Record<string, string>,
  dir = STATE_MACHINE_DIR,
): LocalStateMachine[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.asl.json'))
    .map((file) => ({
      name: `slipway-${basename(file, '.asl.json')}`,
      definition: JSON.parse(
        substitute(readFileSync(join(dir, file), 'utf8'), values),
      ) as StateMachineDefinition,
    }));

/**
 * Task resources: a Lambda function ARN (`arn:aws:lambda:…:function:slipway-<name>`), or the
 * optimized `arn:aws:states:::lambda:invoke` integration with `FunctionName` and `Payload`.
 * Failures are rethrown with the Lambda error type as their name and Lambda's JSON cause,
 * so Retry/Catch and error parsing behave as on AWS.
 */
export const lambdaTaskInvoker =
  (invoke: (name: string, event: unknown) => Promise<unknown>): TaskInvoker =>
  async (resource, input) => {
    const optimized = resource === 'arn:aws:states:::lambda:invoke';
    const target = optimized ? String((input as { FunctionName?: unknown }).FunctionName) : resource;
    const name = /function:slipway-([a-z0-9-]+)/.exec(target)?.[1];
    if (!name) throw new Error(`No local handler for Task resource '${target}'`);
    try {
      const result = await invoke(name, optimized ? (input as { Payload?: unknown }).Payload : input);
      return optimized ? { StatusCode: 200, Payload: result } : result;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const lambdaError = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
      lambdaError.name = e.name;
      throw lambdaError;
    }
  };
