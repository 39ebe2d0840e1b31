/**
 * Text a client may see: a failure's message without what only the operator should (host
 * paths, stack frames, loopback addresses, AWS resource names). The full text goes to the
 * deployment's logs; a report entry or an event carries this.
 */
const STACK_FRAME = /^\s*at\s.+$/;
const INTERNAL_LINE = /node:internal|\(node:\d+\)/;
const FILE_URL = /file:\/\/[^\s'")]+/g;
/** An absolute path of two or more segments (a single `/service` stays). */
const ABSOLUTE_PATH = /(?<![\w.:/])\/(?:[\w.@+-]+\/)+[\w.@+-]*/g;
const LOOPBACK = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+/g;
const ARN = /arn:aws[\w-]*:[\w-]+:[\w-]*:\d*:[^\s'",)]+/g;

export const withoutInternals = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !STACK_FRAME.test(line) && !INTERNAL_LINE.test(line))
    .join('\n')
    .replace(ARN, '<aws resource>')
    .replace(LOOPBACK, '')
    .replace(FILE_URL, '<file>')
    .replace(ABSOLUTE_PATH, (path) => `<path>/${path.split('/').at(-1) ?? ''}`)
    .trim();

/** A line naming an error: `Error: …`, `ReferenceError: …`, `SomethingException: …`. */
const ERROR_LINE = /^\s*(?:[A-Z]\w*)?(?:Error|Exception)\b.*:\s*\S/;

/**
 * The one line of a crashed process's last output that says why, for a client: the last line
 * naming an error, else the last line with text; without internals. The whole output is in
 * the deployment's logs.
 */
export const crashSummary = (lines: readonly string[]): string | undefined => {
  const telling = lines.filter((line) => line.trim() !== '' && !STACK_FRAME.test(line));
  const line = telling.findLast((l) => ERROR_LINE.test(l)) ?? telling.at(-1);
  return line === undefined ? undefined : withoutInternals(line) || undefined;
};
