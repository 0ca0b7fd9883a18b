import { Initial1763750000000 } from './1763750000000-Initial';
import { TradeLifecycle1764500000000 } from './1764500000000-TradeLifecycle';
import { ReadVersions1764600000000 } from './1764600000000-ReadVersions';

/** Every migration in order; listed explicitly so the same array works compiled, under jest and in the CLI. */
export const MIGRATIONS = [Initial1763750000000, TradeLifecycle1764500000000, ReadVersions1764600000000];
