/** Asking the person at the terminal: a secret (not echoed), or a yes/no. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** Reads a secret from the terminal without echoing it; from a pipe, the whole input. */
export const askSecret = async (question: string): Promise<string> => {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.trim();
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stderr.write(question);
    muted = true;
    return (await rl.question('')).trim();
  } finally {
    muted = false;
    process.stderr.write('\n');
    rl.close();
  }
};

/** A yes/no question on the terminal; anything but y or yes is no. */
export const confirm = async (question: string): Promise<boolean> => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
};
