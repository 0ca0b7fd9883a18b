import { PortfolioChangeKind } from '../../common/enums';

export interface PortfolioChangeEvent {
  portfolioId: string;
  kind: PortfolioChangeKind;
  strategyIds: string[];
  at: string;
}

/**
 * What a committed transaction must announce: strategies to recompute and portfolio changes to publish.
 * Collected inside the transaction, delivered only after the commit (App.deliver).
 */
export class Changes {
  readonly recompute = new Set<string>();
  readonly events: PortfolioChangeEvent[] = [];

  touch(portfolioId: string, kind: PortfolioChangeKind, strategyIds: string[], recompute = true): void {
    if (recompute) strategyIds.forEach((id) => this.recompute.add(id));
    this.events.push({ portfolioId, kind, strategyIds: [...new Set(strategyIds)], at: new Date().toISOString() });
  }
}
