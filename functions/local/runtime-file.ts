import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a running `npm start` leaves in its data folder (`runtime.json`) so the scripts
 * (`client:create`, `topic:publish`) can reach its stack: its pid, URL and environment.
 */
export interface RuntimeRecord {
  pid: number;
  url: string;
  env: Record<string, string>;
}

export const runtimeFileOf = (dataDir: string) => join(dataDir, 'runtime.json');

/** Written to a new file created 0600 (it holds the stack's keys), then renamed over the old one. */
export const writeRuntime = (dataDir: string, record: RuntimeRecord) => {
  const file = runtimeFileOf(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
};

export const removeRuntime = (dataDir: string) => rmSync(runtimeFileOf(dataDir), { force: true });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The `npm start` running on `dataDir`, or why there is none (no file; its process is gone). */
export const runningStack = (dataDir: string): { running: RuntimeRecord } | { notRunning: string } => {
  const file = runtimeFileOf(dataDir);
  if (!existsSync(file)) return { notRunning: `no ${file}` };
  const record = JSON.parse(readFileSync(file, 'utf8')) as RuntimeRecord;
  return isAlive(record.pid)
    ? { running: record }
    : { notRunning: `the process ${record.pid} of ${file} is gone` };
};
