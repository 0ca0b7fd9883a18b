import { patternDisplayName, STRATEGY_TEMPLATES, suggestedStrategyName } from './templates';
import { StrategyType } from './types';

describe('strategy templates', () => {
  it('has exactly one template per strategy type, with a description per leg', () => {
    expect(STRATEGY_TEMPLATES.map((t) => t.type).sort()).toEqual(Object.values(StrategyType).sort());
    for (const t of STRATEGY_TEMPLATES) {
      expect(t.description).not.toBe('');
      expect(t.legs).toHaveLength(t.legCount);
    }
    const count = (type: StrategyType) => STRATEGY_TEMPLATES.find((t) => t.type === type)!.legCount;
    expect([
      count(StrategyType.STANDALONE),
      count(StrategyType.COVERED_CALL),
      count(StrategyType.COLLAR),
      count(StrategyType.IRON_CONDOR),
      count(StrategyType.BUTTERFLY),
      count(StrategyType.PAIRS_TRADE),
    ]).toEqual([1, 2, 3, 4, 3, 2]);
  });

  it('names patterns', () => {
    expect(patternDisplayName(StrategyType.IRON_CONDOR)).toBe('Iron Condor');
    expect(patternDisplayName(StrategyType.COVERED_CALL)).toBe('Covered Call');
    expect(patternDisplayName(StrategyType.STANDALONE)).toBe('Standalone');
    expect(suggestedStrategyName(StrategyType.IRON_CONDOR, 'SPY', '2025-12-19')).toBe("Iron Condor SPY Dec19'25");
    expect(suggestedStrategyName(StrategyType.COVERED_CALL, 'AAPL', '2024-01-19')).toBe("Covered Call AAPL Jan19'24");
    expect(suggestedStrategyName(StrategyType.PAIRS_TRADE, 'KO', null)).toBe('Pairs Trade KO');
  });
});
