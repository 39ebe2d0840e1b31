/**
 * A deployment key from a dropped file's name: `Greeter Connector v2.zip` → `greeter-connector-v2`
 * (Connect's keys are 2-256 characters of `[A-Za-z0-9_-]`).
 */
export const keyFromFileName = (name: string): string => {
  const key = name
    .replace(/\.zip$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 256);
  return key.length >= 2 ? key : `deployment-${key || 'zip'}`.slice(0, 256);
};

export const KEY_PATTERN = /^[A-Za-z0-9_-]{2,256}$/;

/** A key not among `taken`: the key itself, else with -2, -3… appended. */
export const freeKey = (key: string, taken: ReadonlySet<string>): string => {
  if (!taken.has(key)) return key;
  for (let n = 2; ; n++) {
    const candidate = `${key.slice(0, 250)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
};
