/**
 * Where the CLI writes: results on stdout (human lines, or one JSON document with `--json`),
 * everything else (steps, progress, logs, errors) on stderr, so `$(slipway …)` and pipes get
 * only the result. Colour and the progress bar only on a terminal, never with NO_COLOR.
 */
import { styleText } from 'node:util';
import { SingleBar } from 'cli-progress';

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

export interface OutputOptions {
  json: boolean;
  /** `--no-color`. */
  color: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

/** A byte progress bar; a no-op off a terminal, where one summary line is written instead. */
export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

/** `1 file`, `12 files`. */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Human-readable bytes: 5.3 kB, 12.0 MB. */
export const formatBytes = (bytes: number): string => {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
};

/**
 * Left-aligned columns, two spaces apart: what `ls` and the application lines print.
 * `decorate` styles a cell after it is padded, so colour codes do not upset the widths.
 */
export const columns = (rows: string[][], decorate = (cell: string, _column: number) => cell): string[] => {
  const widths = rows.reduce<number[]>(
    (w, row) =>
      Array.from({ length: Math.max(w.length, row.length) }, (_, i) =>
        Math.max(w[i] ?? 0, row[i]?.length ?? 0),
      ),
    [],
  );
  return rows.map((row) =>
    row
      .map((cell, i) => decorate(i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0), i))
      .join('  ')
      .trimEnd(),
  );
};

export class Output {
  readonly json: boolean;
  /** Colour and redrawn lines: both streams are terminals, and nobody asked for plain text. */
  readonly fancy: boolean;
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    const env = options.env ?? process.env;
    this.fancy =
      options.color &&
      Boolean(this.stdout.isTTY && this.stderr.isTTY) &&
      !env.NO_COLOR &&
      env.TERM !== 'dumb';
  }

  style(style: Style, text: string): string {
    return this.fancy ? styleText(style, text) : text;
  }

  /** A line of the result (stdout); nothing with `--json`, whose result is `result()`. */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** The machine-readable result (stdout), with `--json` only. */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One record of a stream of results, as a line of JSON (`--json` with `--follow`). */
  record(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A line about what is happening (stderr). */
  info(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** A step of an operation (stderr): `● Deploying`. */
  step(text: string, style: Style = 'cyan'): void {
    this.info(`${this.style(style, '●')} ${text}`);
  }

  warn(text: string): void {
    this.info(`${this.style('yellow', 'Warning:')} ${text}`);
  }

  error(message: string, hint?: string): void {
    this.info(`${this.style('red', 'Error:')} ${message}`);
    if (hint) this.info(this.style('dim', hint));
  }

  /** A byte progress bar on stderr while `total` bytes go out. */
  progress(label: string, total: number): Progress {
    if (!this.fancy) {
      return {
        update: () => undefined,
        stop: () => this.step(`${label} ${formatBytes(total)}`),
      };
    }
    const bar = new SingleBar({
      stream: this.stderr,
      format: `${label} {bar} {percentage}% | {sent} of {size}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      // Redrawn at most every 50 ms: enough to see it move, little to repaint.
      fps: 20,
    });
    bar.start(total, 0, { sent: formatBytes(0), size: formatBytes(total) });
    return {
      update: (bytes) => bar.update(bytes, { sent: formatBytes(bytes) }),
      stop: () => {
        bar.update(total, { sent: formatBytes(total) });
        bar.stop();
      },
    };
  }
}
