/** The health function's composition root: one cheap probe of each dependency. */
export { checkDependencies } from '../adapters/health/dependencies.ts';
