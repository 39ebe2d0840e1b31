/** How commands are declared: an action gets the Context, its arguments and its options. */
import type { Command } from 'commander';
import { Context, type GlobalOptions } from './context.ts';
import type { ExitCode } from './errors.ts';

/**
 * Wraps a command's work for commander, which calls an action with the arguments, the
 * command's options and the command itself. A returned exit code becomes the process's.
 */
export const action =
  <A extends unknown[]>(run: (ctx: Context, ...args: A) => Promise<ExitCode | undefined>) =>
  async (...args: unknown[]): Promise<void> => {
    const command = args.at(-1) as Command;
    const ctx = new Context(command.optsWithGlobals<GlobalOptions>());
    const code = await run(ctx, ...(args.slice(0, -1) as A));
    if (code) process.exitCode = code;
  };

/** The "Examples:" section of a command's --help. */
export const examples = (command: Command, lines: string[]): Command =>
  command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
