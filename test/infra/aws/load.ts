import { analyseCode, type EntryCode } from './code.ts';
import { type ConfigVariable, configVariables } from './config-vars.ts';
import { Resolver, synthesize, type Templates } from './template.ts';

export interface Loaded {
  code: EntryCode[];
  templates: Templates;
  resolver: Resolver;
  variables: Map<string, ConfigVariable>;
}

/**
 * The code and the templates, read once per test file: esbuild bundles in its own process
 * while CDK synthesizes in this one.
 */
export const load = async (): Promise<Loaded> => {
  const bundling = analyseCode();
  const templates = synthesize();
  const code = await bundling;
  return { code, templates, resolver: new Resolver(templates), variables: configVariables() };
};
