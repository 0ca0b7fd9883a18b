import { Initial1763750000000 } from './1763750000000-Initial';

/** Every migration in order; listed explicitly so the same array works compiled, under jest and in the CLI. */
export const MIGRATIONS = [Initial1763750000000];
