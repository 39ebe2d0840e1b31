#!/usr/bin/env node
// The `slipway` command. It runs the TypeScript sources through tsx, so a checkout needs no
// build step: `npm install`, then `npx slipway`.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await main(process.argv);
