import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { read } from '../../data-source';
import { rowsOf } from '../../infra/rows';
import { MarketDataEntity } from './market-data.entity';

/** A request's market data loader: a symbol's latest price and sector (null when unknown). */
export function createMarketDataLoaders(ds: DataSource) {
  const marketData = rowsOf(ds, MarketDataEntity);
  return {
    marketData: new DataLoader<string, MarketDataEntity | null>(async (symbols) => {
      const rows = await read(ds, `SELECT ${marketData.select('md')} FROM market_data md WHERE md.symbol = ANY($1)`, [
        symbols,
      ]);
      const bySymbol = new Map(rows.map((r) => [r.symbol as string, marketData.from(r)]));
      return symbols.map((s) => bySymbol.get(s) ?? null);
    }),
  };
}
