/**
 * `slipway`: the command line of the Slipway API. The program and its commands are declared
 * here; each command's work is in `commands/`, over the typed client in `api/`.
 */
import { Command, CommanderError } from 'commander';
import { registerBigCommerce } from './commands/bc.ts';
import { registerConnectors } from './commands/connectors.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerDeployments } from './commands/deployments.ts';
import { registerLogin } from './commands/login.ts';
import { registerOperations } from './commands/operations.ts';
import { registerProjects } from './commands/projects.ts';
import { VERSION } from './context.ts';
import { CliError, EXIT, type ExitCode } from './errors.ts';
import { Output } from './output.ts';

export const buildProgram = (): Command => {
  const program = new Command('slipway')
    .description('Deploy a folder to Slipway from a terminal, watch it happen, and roll it back.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print one JSON result on stdout (progress still goes to stderr)')
    .option('-p, --project <key>', 'the project (default: SLIPWAY_PROJECT, or the profile’s)')
    .option('--profile <name>', 'the saved profile to use (default: SLIPWAY_PROFILE, or the last login)')
    .option(
      '--no-color',
      'no colour and no progress bar (also when NO_COLOR is set or output is not a terminal)',
    )
    .helpOption('-h, --help', 'show help')
    // Settings every subcommand inherits: set before any is added.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      `
Examples:
  $ slipway login --url http://127.0.0.1:3000 --token "$SLIPWAY_TOKEN" --project my-shop
  $ slipway deploy examples/connector --key greeter --app service.GREETING=Hi
  $ slipway status greeter
  $ slipway rollback greeter

Exit codes: 0 success, 1 the operation failed, 2 usage error, 3 authentication or
permission error, 4 not found. Full reference: docs/cli.md.`,
    );
  registerLogin(program);
  registerProjects(program);
  registerDeploy(program);
  registerDeployments(program);
  registerOperations(program);
  registerConnectors(program);
  registerBigCommerce(program);
  return program;
};

/** Runs the command line and returns the exit code (the launcher sets it). */
export const main = async (argv: string[]): Promise<ExitCode> => {
  // `slipway logs … | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return (process.exitCode as ExitCode | undefined) ?? EXIT.ok;
  } catch (error) {
    const opts = program.opts<{ json?: boolean; color: boolean }>();
    // A usage error may stop commander before it has read --json: look at the line itself.
    const out = new Output({ json: opts.json ?? argv.includes('--json'), color: opts.color });
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      // Commander has printed its own message (and the hint to --help) on stderr already.
      const message = error.message.replace(/^error: /, '');
      out.result({ error: { message, exitCode: EXIT.usage, hint: 'add --help for usage' } });
      return EXIT.usage;
    }
    const cliError = error instanceof CliError ? error : unexpected(error);
    out.error(cliError.message, cliError.hint);
    out.result({
      error: { message: cliError.message, exitCode: cliError.exitCode, hint: cliError.hint },
    });
    // The stack names files of the bundle on this machine: useful to us, noise to a user.
    if (!(error instanceof CliError) && process.env.SLIPWAY_DEBUG) out.info(String((error as Error).stack));
    return cliError.exitCode;
  }
};

/** A failure no command foresaw, told in one line (the stack only with SLIPWAY_DEBUG=1). */
export const unexpected = (error: unknown): CliError => {
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(
    message.split('\n')[0] ?? message,
    EXIT.failed,
    'This is a bug in slipway: run again with SLIPWAY_DEBUG=1 and report the command and its output.',
  );
};
