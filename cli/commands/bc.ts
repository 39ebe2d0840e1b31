import type { Command } from 'commander';
export const registerBigCommerce = (_program: Command) => undefined;
