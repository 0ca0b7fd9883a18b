import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Descriptions of the schema elements that had none in their decorators when every element was required to carry
 * one (API.md's meaning: units, conventions, nulls). A description written in a decorator wins over this table;
 * new types, fields, arguments and enum values get theirs in their decorators. Keys: `Type`, `Type.field`,
 * `Type.field(argument)`, `Type.field` of an input type, `Enum.VALUE`. A test fails on a key that names nothing.
 */
export const DESCRIPTIONS: Record<string, string> = {
  // ---- roots ----------------------------------------------------------------------------------------------
  Query: "Reads, all with `Authorization: Bearer <token>`; every read returns the caller's own objects only.",
  Mutation:
    'Changes, each in one transaction: bad input is a GraphQL error (`BAD_USER_INPUT` with `extensions.field`) ' +
    'and nothing is written.',
  Subscription: 'Live updates over graphql-ws on /graphql (connectionParams: { authorization: "Bearer <token>" }).',

  'Query.me': 'The logged-in user.',
  'Query.batchRun': "A batch run by id: the caller's own runs; DAILY runs for admins. Null otherwise.",
  'Query.batchRun(id)': 'The run id.',
  'Query.performanceByStrategyType':
    "The portfolio's strategies grouped by strategy type, with performance figures " + 'from their daily P&L history.',
  'Query.performanceByStrategyType(portfolioId)': "One of the caller's portfolios.",
  'Query.performanceByTag':
    "The portfolio's strategies grouped by tag, with performance figures from their daily " + 'P&L history.',
  'Query.performanceByTag(portfolioId)': "One of the caller's portfolios.",
  'Query.portfolios': "The caller's portfolios (deleted ones excluded), oldest first.",
  'Query.portfolio': "One of the caller's portfolios; null for an unknown, deleted or another user's id.",
  'Query.portfolio(id)': 'The portfolio id.',
  'Query.strategy': "One of the caller's strategies (closed ones too); null for an unknown or another user's id.",
  'Query.strategy(id)': 'The strategy id.',
  'Query.strategyTemplates': 'The known multi-leg strategy patterns and the legs each consists of.',
  'Query.detectStrategies':
    "Groups of the portfolio's STANDALONE legs that match a known pattern; a leg is offered " +
    'in at most one detection. Nothing is written (see applyDetections).',
  'Query.detectStrategies(portfolioId)': "One of the caller's portfolios.",
  'Query.tags': "The caller's tags, ordered by displayOrder then name.",
  'Query.tags(includeArchived)': 'Also list archived tags (default false).',
  'Query.suggestTags':
    "Ranked tag suggestions for a strategy, from the caller's own tagging of similar strategies and " +
    'from rules; existing tags first, each with the reason.',
  'Query.suggestTags(limit)': 'At most this many suggestions (default 5).',
  'Query.suggestTags(strategyId)': "One of the caller's strategies.",

  'Mutation.register': 'Creates a user (with the 10 starter tags) and logs them in.',
  'Mutation.register(input)': 'Email, username and password of the new user.',
  'Mutation.login': 'Logs in; 10 failed attempts per username or client address within 15 minutes give LIMIT_EXCEEDED.',
  'Mutation.login(input)': 'Username or email, and password.',
  'Mutation.importPositions':
    'Imports positions from CSV in the background; progress streams through ' + 'batchRunProgress.',
  'Mutation.importPositions(csv)':
    'RFC 4180 CSV, header `ticker,quantity,entry_price,entry_date,tags` and an optional ' +
    '`investment_class` column; at most 1 MB.',
  'Mutation.importPositions(portfolioId)': "The caller's portfolio to import into.",
  'Mutation.recomputeMetrics': 'Recomputes the metrics of every strategy of the portfolio in the background.',
  'Mutation.recomputeMetrics(portfolioId)': "One of the caller's portfolios.",
  'Mutation.startBatchRun':
    'Admins: starts a batch run; while one of the kind is queued or running, returns that one ' +
    'unless forced. DAILY on a weekend or NYSE holiday is SKIPPED unless forced.',
  'Mutation.startBatchRun(force)': 'Start even when one is running, or on a non-trading day (default false).',
  'Mutation.startBatchRun(kind)': 'DAILY or RECOMPUTE_ALL (imports start with importPositions).',
  'Mutation.createPosition': 'Creates a leg, in the given strategy or in a new STANDALONE strategy of its own.',
  'Mutation.createPosition(input)': 'The position.',
  'Mutation.updateLeg': 'Changes the quantity, entry price or implied volatility of an open leg; omitted values stay.',
  'Mutation.updateLeg(impliedVolatility)': 'New implied volatility as a fraction, in (0, 5].',
  'Mutation.updateLeg(entryPrice)': 'New entry price per share or per option (not per contract), ≥ 0.',
  'Mutation.updateLeg(quantity)': 'New quantity, positive (the direction is the position type).',
  'Mutation.updateLeg(id)': "One of the caller's legs.",
  'Mutation.deleteLeg': 'Deletes a leg; a strategy left without legs is closed. True when deleted.',
  'Mutation.deleteLeg(id)': "One of the caller's legs.",
  'Mutation.publishPrices(prices)': 'The prices to publish.',
  'Mutation.createPortfolio': 'Creates an empty portfolio.',
  'Mutation.createPortfolio(name)': '1–200 characters.',
  'Mutation.renamePortfolio': 'Renames a portfolio.',
  'Mutation.renamePortfolio(name)': 'The new name, 1–200 characters.',
  'Mutation.renamePortfolio(id)': "One of the caller's portfolios.",
  'Mutation.deletePortfolio':
    'Soft-deletes a portfolio: it and everything in it disappear from reads. True when ' + 'deleted.',
  'Mutation.deletePortfolio(id)': "One of the caller's portfolios.",
  'Mutation.createStrategy': 'Moves the given open legs into a new strategy of the given type and name.',
  'Mutation.createStrategy(legIds)': "The caller's open legs, all of one portfolio.",
  'Mutation.createStrategy(type)': 'The strategy type.',
  'Mutation.createStrategy(name)': '1–200 characters.',
  'Mutation.createStrategy(portfolioId)': 'The portfolio the legs belong to.',
  'Mutation.updateStrategy': 'Renames or retypes a strategy; omitted values stay.',
  'Mutation.updateStrategy(type)': 'The new strategy type.',
  'Mutation.updateStrategy(name)': 'The new name, 1–200 characters.',
  'Mutation.updateStrategy(id)': "One of the caller's strategies.",
  'Mutation.closeStrategy': 'Closes a strategy (status CLOSED, closedAt set); it keeps its legs as history.',
  'Mutation.closeStrategy(id)': "One of the caller's active strategies.",
  'Mutation.combineLegs':
    'Moves the legs into one new strategy (type detected unless given) and records the source ' +
    'strategies as its ancestors; emptied strategies are closed; tags are carried over (union).',
  'Mutation.combineLegs(input)': 'The legs and, optionally, the type and name.',
  'Mutation.splitStrategy':
    'Gives each leg of the strategy a STANDALONE strategy of its own (descendants of this one, ' +
    'keeping its tags); the strategy is closed.',
  'Mutation.splitStrategy(id)': "One of the caller's active strategies.",
  'Mutation.addLeg': 'Moves an open leg into the strategy; a strategy it leaves empty is closed.',
  'Mutation.addLeg(legId)': "One of the caller's open legs, in the strategy's portfolio.",
  'Mutation.addLeg(strategyId)': "One of the caller's active strategies.",
  'Mutation.removeLeg(legId)': 'The leg to take out of the strategy.',
  'Mutation.removeLeg(strategyId)': "One of the caller's active strategies.",
  'Mutation.applyDetections': 'Combines every detection detectStrategies offers for the portfolio, in one transaction.',
  'Mutation.applyDetections(portfolioId)': "One of the caller's portfolios.",
  'Mutation.createTag': 'Creates a tag (at most 100 non-archived per user; names unique among them, case-insensitive).',
  'Mutation.createTag(input)': 'Name, color and description.',
  'Mutation.updateTag': 'Changes a tag; omitted values stay.',
  'Mutation.updateTag(input)': 'The tag id and the values to change.',
  'Mutation.batchUpdateTags': 'Changes several tags in one transaction (all or none).',
  'Mutation.batchUpdateTags(inputs)': 'One change per tag.',
  'Mutation.reorderTags':
    'Sets displayOrder in the given order; tags not listed keep their relative order after them. ' +
    'Returns the non-archived tags in their new order.',
  'Mutation.reorderTags(tagIds)': "The caller's tags, in the order wanted.",
  'Mutation.archiveTag':
    'Archives a tag: hidden from tags by default, cannot be applied; strategies keep it as ' +
    'history. ' +
    'Purged by the daily batch 90 days later.',
  'Mutation.archiveTag(id)': "One of the caller's non-archived tags.",
  'Mutation.restoreTag':
    'Restores an archived tag (LIMIT_EXCEEDED when an active tag took its name or 100 are ' + 'active).',
  'Mutation.restoreTag(id)': "One of the caller's archived tags.",
  'Mutation.setStrategyTags': "Replaces the strategy's tags with exactly these (at most 20).",
  'Mutation.setStrategyTags(tagIds)': "The caller's non-archived tags.",
  'Mutation.setStrategyTags(strategyId)': "One of the caller's strategies.",
  'Mutation.addStrategyTags': 'Adds tags to the strategy (those it has already are kept; at most 20 in all).',
  'Mutation.addStrategyTags(tagIds)': "The caller's non-archived tags.",
  'Mutation.addStrategyTags(strategyId)': "One of the caller's strategies.",
  'Mutation.removeStrategyTags': 'Removes tags from the strategy; returns it and how many were removed.',
  'Mutation.removeStrategyTags(tagIds)': "The caller's tags to remove.",
  'Mutation.removeStrategyTags(strategyId)': "One of the caller's strategies.",
  'Mutation.bulkAssignTags': 'Adds the tags to every given strategy, in one transaction.',
  'Mutation.bulkAssignTags(tagIds)': "The caller's non-archived tags.",
  'Mutation.bulkAssignTags(strategyIds)': "The caller's strategies.",

  'Subscription.strategyMetricsUpdated':
    'Each strategy of the portfolio whose metrics the worker recomputed; a slow ' +
    'client skips intermediate states of a strategy, never its latest one.',
  'Subscription.strategyMetricsUpdated(portfolioId)': "One of the caller's portfolios.",
  'Subscription.portfolioChanged': 'Each committed structural change of the portfolio, with the strategies it touched.',
  'Subscription.portfolioChanged(portfolioId)': "One of the caller's portfolios.",
  'Subscription.m2mUpdated': "The strategy's current minute candle of unrealized P&L, after each recomputation.",
  'Subscription.m2mUpdated(strategyId)': "One of the caller's strategies.",
  'Subscription.batchRunProgress': 'The run after each step, until it finishes.',
  'Subscription.batchRunProgress(id)': 'A run the caller may see (see batchRun).',

  // ---- users and auth -------------------------------------------------------------------------------------
  User: 'A user: owns portfolios and one set of tags shared by all of them.',
  'User.id': 'The user id (UUID).',
  'User.email': 'Email address, unique.',
  'User.username': 'Username, unique (case-insensitive).',
  'User.createdAt': 'When the user registered.',
  AuthPayload: 'A logged-in session.',
  'AuthPayload.token': 'JWT (HS256) to send as `Authorization: Bearer <token>` and as graphql-ws connectionParams.',
  'AuthPayload.user': 'The logged-in user.',
  RegisterInput: 'A new user.',
  'RegisterInput.email': 'Email address, unique.',
  'RegisterInput.username': 'Username, unique (case-insensitive).',
  'RegisterInput.password': 'Password.',
  LoginInput: 'Credentials.',
  'LoginInput.usernameOrEmail': 'Username or email address.',
  'LoginInput.password': 'Password.',

  // ---- portfolios -----------------------------------------------------------------------------------------
  Portfolio: 'A portfolio of legs, organised into strategies.',
  'Portfolio.id': 'The portfolio id (UUID).',
  'Portfolio.name': 'Name, 1–200 characters.',
  'Portfolio.createdAt': 'When it was created.',
  'Portfolio.strategies': "The portfolio's strategies, oldest first, as a Relay connection.",
  'Portfolio.strategies(after)': 'Cursor (endCursor of the previous page); omitted: from the start.',
  'Portfolio.strategies(first)': 'Page size, at most 500 (default 100).',
  'Portfolio.strategies(filter)': 'Which strategies (default: ACTIVE ones).',
  'Portfolio.groupedStrategies': "The portfolio's strategies in groups, each with its totals.",
  'Portfolio.groupedStrategies(filter)': 'Which strategies (default: ACTIVE ones).',
  'Portfolio.groupedStrategies(by)': 'What to group by.',
  'Portfolio.totals': 'Sums over the open legs, valued now at the latest prices (the same snapshot as the legs).',
  'Portfolio.snapshots': 'Daily snapshots written by the daily batch, oldest first.',
  'Portfolio.snapshots(to)': 'Last date (inclusive); omitted: up to the latest.',
  'Portfolio.snapshots(from)': 'First date (inclusive); omitted: from the first.',
  PortfolioTotals: 'Sums over open legs at the latest prices (money exact; greeks as in Greeks).',
  'PortfolioTotals.marketValue': 'Σ sign × quantity × multiplier × price.',
  'PortfolioTotals.costBasis': 'Σ sign × quantity × multiplier × entryPrice.',
  'PortfolioTotals.unrealizedPnl': 'marketValue − costBasis.',
  'PortfolioTotals.netDelta': 'Σ delta, in share-equivalents.',
  'PortfolioTotals.netGamma': 'Σ gamma, in share-equivalents per 1 of underlying price.',
  'PortfolioTotals.netTheta': 'Σ theta, in currency per calendar day.',
  'PortfolioTotals.netVega': 'Σ vega, in currency per 1 volatility point.',
  'PortfolioTotals.strategyCount': 'Number of strategies counted.',
  'PortfolioTotals.legCount': 'Number of legs counted.',
  StrategyGroup: 'Strategies sharing a tag, type, underlying or sector, with their totals.',
  'StrategyGroup.tag': 'The tag, when grouped by TAG (null for the untagged group and other groupings).',
  'StrategyGroup.strategies': 'The strategies in the group.',
  'StrategyGroup.totals': "Sums over the group's open legs.",
  GroupBy: 'How groupedStrategies groups.',
  'GroupBy.TAG': 'By tag (a strategy with several tags is in several groups).',
  'GroupBy.STRATEGY_TYPE': 'By strategy type.',
  'GroupBy.UNDERLYING': 'By underlying symbol.',
  'GroupBy.SECTOR': 'By the underlying\'s sector (market data), "unknown" without one.',
  PortfolioSnapshot: 'The portfolio at the close of one trading day (written by the daily batch).',
  'PortfolioSnapshot.date': 'The trading day.',
  'PortfolioSnapshot.totalValue': 'Market value of all open legs.',
  'PortfolioSnapshot.longValue': 'Market value of the long legs (≥ 0).',
  'PortfolioSnapshot.shortValue': 'Market value of the short legs (≤ 0).',
  'PortfolioSnapshot.grossExposure': 'longValue + |shortValue|.',
  'PortfolioSnapshot.netExposure': 'longValue + shortValue.',
  'PortfolioSnapshot.dailyPnl': 'P&L since the previous snapshot; null for the first one.',
  'PortfolioSnapshot.cumulativePnl': 'Unrealized P&L at that day; null when unknown.',
  'PortfolioSnapshot.netDelta': 'Σ delta that day, in share-equivalents.',

  // ---- strategies -----------------------------------------------------------------------------------------
  Strategy: 'A set of legs shown as one row: a STANDALONE position or a multi-leg unit, with aggregated metrics.',
  'Strategy.id': 'The strategy id (UUID).',
  'Strategy.name': 'Name, 1–200 characters (generated for STANDALONE ones, e.g. "Long AAPL").',
  'Strategy.type': 'The pattern the legs form (detected, or set by the user).',
  'Strategy.status': 'ACTIVE, or CLOSED (kept as history).',
  'Strategy.createdAt': 'When it was created.',
  'Strategy.updatedAt': 'When it last changed.',
  'Strategy.closedAt': 'When it was closed; null while ACTIVE.',
  'Strategy.portfolio': 'The portfolio it belongs to.',
  'Strategy.legCount': 'Number of legs.',
  'Strategy.m2m': "Minute candles of the strategy's unrealized P&L, oldest first (kept M2M_RETENTION_DAYS).",
  'Strategy.m2m(to)': 'Until this time (inclusive); omitted: now.',
  'Strategy.m2m(from)': 'From this time (inclusive); omitted: the last 24 hours.',
  'Strategy.versions': 'Every change, oldest first.',
  'Strategy.descendants': 'Strategies this one was combined into or split into.',
  StrategyConnection: 'A page of strategies (Relay connection).',
  'StrategyConnection.edges': 'The strategies of this page.',
  'StrategyConnection.pageInfo': 'Whether there is a next page, and its cursor.',
  'StrategyConnection.totalCount': 'How many strategies match the filter, across all pages.',
  StrategyEdge: 'One strategy of a page.',
  'StrategyEdge.cursor': 'Opaque cursor: pass as `after` to continue after this strategy.',
  'StrategyEdge.node': 'The strategy.',
  PageInfo: 'Relay page information.',
  'PageInfo.hasNextPage': 'True when more strategies follow.',
  'PageInfo.endCursor': 'Cursor of the last edge; null on an empty page.',
  StrategyFilter: 'Which strategies a list shows; all given conditions apply.',
  'StrategyFilter.tagIds': 'Strategies carrying these tags (see tagMatch).',
  'StrategyFilter.tagMatch': 'ANY: at least one of tagIds; ALL: every one of them.',
  'StrategyFilter.types': 'Strategies of these types.',
  'StrategyFilter.underlying': 'Strategies with a leg on this underlying symbol.',
  TagMatch: 'How StrategyFilter.tagIds combine.',
  'TagMatch.ANY': 'At least one of the tags.',
  'TagMatch.ALL': 'Every one of the tags.',
  StrategyType: 'The pattern of a strategy (API.md: most are detected; CUSTOM and PAIRS_TRADE only users declare).',
  'StrategyType.STANDALONE': 'A single leg.',
  'StrategyType.COVERED_CALL': 'Long stock and a short call on it (100 shares per contract).',
  'StrategyType.PROTECTIVE_PUT': 'Long stock and a long put on it (100 shares per contract).',
  'StrategyType.COLLAR': 'Long stock, a long put and a short call on it.',
  'StrategyType.VERTICAL_SPREAD': 'A long and a short option of one type and expiry, different strikes.',
  'StrategyType.IRON_CONDOR': 'A put spread below and a call spread above, one expiry, four strikes.',
  'StrategyType.IRON_BUTTERFLY': 'Short put and short call at one strike, with long wings, one expiry.',
  'StrategyType.BUTTERFLY': 'Three strikes of one option type, 1 / −2 / 1, one expiry.',
  'StrategyType.STRADDLE': 'A call and a put at the same strike and expiry, same direction.',
  'StrategyType.STRANGLE': 'A call and a put at different strikes, same expiry and direction.',
  'StrategyType.CALENDAR_SPREAD': 'Same strike and type, different expiries, opposite directions.',
  'StrategyType.DIAGONAL_SPREAD': 'Different strikes and expiries of one type, opposite directions.',
  'StrategyType.PAIRS_TRADE': 'A long and a short position in two related stocks (declared by the user).',
  'StrategyType.CUSTOM': 'Any other combination (declared by the user, or no known pattern).',
  StrategyStatus: 'Whether a strategy is live.',
  'StrategyStatus.ACTIVE': 'Live: holds open legs.',
  'StrategyStatus.CLOSED': 'Closed; kept with its legs as history.',
  StrategyMetrics: 'What the worker last computed for a strategy (see stale); money exact, greeks as in Greeks.',
  'StrategyMetrics.marketValue': 'Σ sign × quantity × multiplier × price over the legs.',
  'StrategyMetrics.costBasis': 'Σ sign × quantity × multiplier × entryPrice over the legs.',
  'StrategyMetrics.unrealizedPnl': 'marketValue − costBasis.',
  'StrategyMetrics.netDelta': 'Σ delta, in share-equivalents (100 long shares: 100).',
  'StrategyMetrics.netGamma': 'Σ gamma, in share-equivalents per 1 of underlying price.',
  'StrategyMetrics.netTheta': 'Σ theta, in currency per calendar day.',
  'StrategyMetrics.netVega': 'Σ vega, in currency per 1 volatility point.',
  'StrategyMetrics.calculatedAt': 'When these figures were computed.',
  PayoffAnalysis: 'P&L at the earliest option expiry as a function of the one underlying price, premiums included.',
  'PayoffAnalysis.curve': 'The payoff sampled across underlying prices (kinks included), ascending.',
  'PayoffAnalysis.curve(points)': 'About how many points (default 50).',
  PayoffPoint: 'One point of a payoff curve.',
  'PayoffPoint.underlyingPrice': 'Underlying price at expiry.',
  'PayoffPoint.pnl': 'Strategy P&L at that price, in currency.',
  M2MCandle: "One minute of a strategy's unrealized P&L (mark to market).",
  'M2MCandle.strategyId': 'The strategy.',
  'M2MCandle.open': 'First unrealized P&L of the minute.',
  'M2MCandle.high': 'Highest unrealized P&L of the minute.',
  'M2MCandle.low': 'Lowest unrealized P&L of the minute.',
  'M2MCandle.close': 'Last unrealized P&L of the minute.',
  StrategyVersion: 'One change of a strategy.',
  'StrategyVersion.version': 'Sequence number, from 1.',
  'StrategyVersion.change':
    'created, renamed, retyped, leg_added, leg_removed, combined, split, tags_changed or ' + 'closed.',
  'StrategyVersion.createdAt': 'When the change was made.',
  StrategyTemplate: 'A known multi-leg pattern.',
  'StrategyTemplate.type': 'The strategy type.',
  'StrategyTemplate.description': 'What the pattern is for.',
  'StrategyTemplate.legCount': 'Number of legs.',
  'StrategyTemplate.legs': 'The legs, e.g. "long 100 shares", "short 1 call".',
  StrategyDetection: 'Legs that form a known pattern (see detectStrategies).',
  'StrategyDetection.type': 'The pattern found.',
  'StrategyDetection.suggestedName': 'The name combineLegs would give.',
  'StrategyDetection.confidence': 'How well the legs match, 0..1.',
  'StrategyDetection.legs': 'The STANDALONE legs that form it.',
  CombineInput: 'Legs to combine into one strategy.',
  'CombineInput.legIds': "The caller's open legs, all of one portfolio.",
  'CombineInput.type': 'The type; omitted: detected (CUSTOM when no pattern matches).',
  'CombineInput.name': 'The name, 1–200 characters; omitted: generated.',
  StrategyPerformance: 'Performance of a group of strategies (annualised with 252 trading days; null with < 2 days).',
  'StrategyPerformance.strategyCount': 'Strategies in the group.',
  'StrategyPerformance.unrealizedPnl': 'Σ unrealized P&L now.',
  'StrategyPerformance.returnPct': 'Return over the history, as a fraction.',
  'StrategyPerformance.sharpeRatio': 'Annualised Sharpe ratio, risk-free rate 0.',
  'StrategyPerformance.sortinoRatio': 'Annualised Sortino ratio, risk-free rate 0.',
  'StrategyPerformance.maxDrawdown': 'Largest peak-to-trough fall, a positive fraction.',
  'StrategyPerformance.volatility': 'Annualised volatility of daily returns (sample standard deviation).',
  'StrategyPerformance.var95': 'Historical one-day value at risk at 95 %, a positive fraction of value.',
  'StrategyPerformance.winRate': 'Share of days with positive P&L, 0..1.',

  // ---- legs -----------------------------------------------------------------------------------------------
  Leg: 'One position: a stock, ETF, option or PRIVATE holding; belongs to exactly one strategy.',
  'Leg.id': 'The leg id (UUID).',
  'Leg.positionType': 'LONG/SHORT for stocks, LC/SC/LP/SP for options.',
  'Leg.investmentClass': 'PUBLIC, OPTIONS or PRIVATE.',
  'Leg.underlyingSymbol': 'The symbol itself for stocks; the root of an option.',
  'Leg.optionType': 'CALL or PUT; null for stocks and PRIVATE legs.',
  'Leg.strikePrice': 'Option strike; null otherwise.',
  'Leg.expirationDate': 'Option expiry date (it expires 16:00 America/New_York); null otherwise.',
  'Leg.impliedVolatility': 'Its own implied volatility as a fraction; null: DEFAULT_IMPLIED_VOLATILITY is used.',
  'Leg.entryPrice': 'Price paid or received per share or per option (not per contract).',
  'Leg.entryDate': 'Date the position was opened.',
  'Leg.priceSource': 'Where `price` comes from.',
  'Leg.marketValue': 'sign × quantity × multiplier × price, now.',
  'Leg.costBasis': 'sign × quantity × multiplier × entryPrice.',
  'Leg.unrealizedPnl': 'marketValue − costBasis.',
  'Leg.legOrder': 'Position within its strategy, from 0.',
  'Leg.strategy': 'The strategy it belongs to.',
  PositionType: 'Direction and kind of a leg; sign +1 for LONG, LC, LP and −1 for SHORT, SC, SP.',
  'PositionType.LONG': 'Long stock (or other non-option holding).',
  'PositionType.SHORT': 'Short stock.',
  'PositionType.LC': 'Long call.',
  'PositionType.LP': 'Long put.',
  'PositionType.SC': 'Short call.',
  'PositionType.SP': 'Short put.',
  InvestmentClass: 'What kind of holding a leg is.',
  'InvestmentClass.PUBLIC': 'A listed ticker (stock, ETF).',
  'InvestmentClass.OPTIONS': 'An option (OCC symbol).',
  'InvestmentClass.PRIVATE':
    'A private holding (fund, property…): no market data, valued at its last known or entry ' + 'price, no greeks.',
  OptionType: 'Call or put.',
  'OptionType.CALL': 'A call option.',
  'OptionType.PUT': 'A put option.',
  PriceSource: "Where a leg's price comes from.",
  'PriceSource.MARKET': 'The latest published price of its symbol.',
  'PriceSource.MODEL': 'Black-Scholes value from the underlying price (an option without a price of its own).',
  'PriceSource.ENTRY': 'Its entry price (nothing better is known).',
  Greeks: 'Black-Scholes-Merton sensitivities of a leg (sign × quantity × multiplier × per-share value).',
  'Greeks.delta': 'In share-equivalents: 100 long shares have delta 100.',
  'Greeks.gamma': 'Change of delta per 1 of underlying price, in share-equivalents.',
  'Greeks.theta': 'In currency per calendar day.',
  'Greeks.vega': 'In currency per 1 volatility point.',
  'Greeks.rho': 'In currency per 1 rate point.',
  CreatePositionInput: 'A new position (leg).',
  'CreatePositionInput.portfolioId': "The caller's portfolio.",
  'CreatePositionInput.entryPrice': 'Price per share or per option (not per contract), ≥ 0, at most 8 decimals.',
  'CreatePositionInput.entryDate': 'Date opened; omitted: today (UTC). Not after the expiry of an option.',
  'CreatePositionInput.impliedVolatility': 'Implied volatility as a fraction, in (0, 5]; omitted: the default.',
  'CreatePositionInput.investmentClass': 'Omitted: inferred (option symbols OPTIONS, tickers PUBLIC, else PRIVATE).',
  CreatePositionPayload: 'The new leg and the strategy it is in.',
  'CreatePositionPayload.leg': 'The new leg.',
  'CreatePositionPayload.strategy': 'Its strategy (a new STANDALONE one unless strategyId was given).',

  // ---- tags -----------------------------------------------------------------------------------------------
  Tag: "A user's own label for strategies (never for single legs); shared by all the user's portfolios.",
  'Tag.id': 'The tag id (UUID).',
  'Tag.name': '1–50 letters, digits, spaces, "_" and "-"; unique among the non-archived tags, case-insensitive.',
  'Tag.description': 'Free text, at most 500 characters; null when none.',
  'Tag.displayOrder': "Position in the user's list, from 0 (see reorderTags).",
  'Tag.archivedAt': 'When it was archived; null while active.',
  'Tag.isArchived': 'True when archived.',
  'Tag.strategies': 'Strategies carrying the tag, oldest first, as a Relay connection.',
  'Tag.strategies(after)': 'Cursor (endCursor of the previous page); omitted: from the start.',
  'Tag.strategies(first)': 'Page size, at most 500 (default 100).',
  'Tag.strategies(filter)': 'Which strategies (default: ACTIVE ones).',
  TagSuggestion: 'A suggested tag for a strategy.',
  'TagSuggestion.tag': 'The existing tag; null when the suggestion is a new name.',
  'TagSuggestion.name': 'The tag name.',
  'TagSuggestion.score': 'Ranking score, higher first.',
  'TagSuggestion.reason': 'Why it is suggested.',
  TagInput: 'A new tag.',
  'TagInput.name': '1–50 letters, digits, spaces, "_" and "-".',
  'TagInput.color': '"#RRGGBB"; omitted: "#4A90E2".',
  'TagInput.description': 'At most 500 characters.',
  TagUpdateInput: 'Changes to one tag; omitted values stay.',
  'TagUpdateInput.id': "One of the caller's tags.",
  'TagUpdateInput.name': '1–50 letters, digits, spaces, "_" and "-".',
  'TagUpdateInput.color': '"#RRGGBB".',
  'TagUpdateInput.description': 'At most 500 characters.',
  'TagUpdateInput.displayOrder': 'Position in the list, from 0.',
  RemoveTagsPayload: 'The strategy after removeStrategyTags.',
  'RemoveTagsPayload.strategy': 'The strategy.',
  'RemoveTagsPayload.removedCount': 'How many of the tags it carried and no longer does.',

  // ---- market data ----------------------------------------------------------------------------------------
  PriceInput: 'One published price.',
  'PriceInput.symbol': 'Ticker or OCC symbol (trimmed, upper-cased).',
  'PriceInput.price': 'Price per share or per option, ≥ 0.',
  'PriceInput.at': 'When the price was observed; omitted: now.',

  // ---- batch runs -----------------------------------------------------------------------------------------
  BatchRun: 'A background run (daily batch, recomputation or import) and its progress.',
  'BatchRun.id': 'The run id (UUID).',
  'BatchRun.kind': 'What the run does.',
  'BatchRun.status': 'Where it is.',
  'BatchRun.total': 'Items to process (portfolios, strategies or CSV rows).',
  'BatchRun.completed': 'Items done.',
  'BatchRun.failed': 'Items that failed (see errors).',
  'BatchRun.message': 'A summary, e.g. why it was SKIPPED; null when none.',
  'BatchRun.errors': 'What failed, e.g. "row 3: quantity must not be 0".',
  'BatchRun.startedAt': 'When it started; null while QUEUED.',
  'BatchRun.finishedAt': 'When it finished; null until then.',
  BatchRunKind: 'What a batch run does.',
  'BatchRunKind.DAILY': 'Daily batch: snapshots, performance figures, purge of tags archived over 90 days ago.',
  'BatchRunKind.RECOMPUTE_ALL': 'Recomputes strategy metrics.',
  'BatchRunKind.IMPORT': 'Imports positions from CSV.',
  BatchRunStatus: 'Where a batch run is.',
  'BatchRunStatus.QUEUED': 'Waiting for a worker.',
  'BatchRunStatus.RUNNING': 'Being processed.',
  'BatchRunStatus.COMPLETED': 'Finished (items that failed are listed in errors).',
  'BatchRunStatus.FAILED': 'Stopped by an error.',
  'BatchRunStatus.SKIPPED': 'Not run (a DAILY run on a weekend or NYSE holiday without force).',
  ImportStarted: 'An import that was accepted and queued.',
  'ImportStarted.run': 'The run; follow it with batchRunProgress or batchRun.',

  // ---- live updates ---------------------------------------------------------------------------------------
  PortfolioChange: 'A committed structural change of a portfolio.',
  'PortfolioChange.portfolioId': 'The portfolio.',
  'PortfolioChange.kind': 'What happened.',
  'PortfolioChange.strategyIds': 'The strategies it touched.',
  'PortfolioChange.at': 'When it was committed.',
  PortfolioChangeKind: 'What kind of structural change.',
  'PortfolioChangeKind.STRATEGY_CREATED': 'A strategy was created.',
  'PortfolioChangeKind.STRATEGY_UPDATED': 'A strategy was renamed or retyped, or its legs changed.',
  'PortfolioChangeKind.STRATEGY_CLOSED': 'A strategy was closed.',
  'PortfolioChangeKind.STRATEGIES_COMBINED': 'Legs were combined into a new strategy.',
  'PortfolioChangeKind.STRATEGY_SPLIT': 'A strategy was split into STANDALONE ones.',
  'PortfolioChangeKind.LEG_MOVED': 'A leg moved between strategies.',
  'PortfolioChangeKind.TAGS_CHANGED': "A strategy's tags changed.",
};

/** Every element of the schema as its DESCRIPTIONS key, with the object holding its description. */
function elements(schema: GraphQLSchema): { key: string; obj: { description?: string | null } }[] {
  const out: { key: string; obj: { description?: string | null } }[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__') || isSpecifiedScalarType(t)) continue;
    out.push({ key: t.name, obj: t });
    if (isObjectType(t) || isInterfaceType(t)) {
      for (const f of Object.values(t.getFields())) {
        out.push({ key: `${t.name}.${f.name}`, obj: f });
        for (const a of f.args) out.push({ key: `${t.name}.${f.name}(${a.name})`, obj: a });
      }
    }
    if (isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) out.push({ key: `${t.name}.${f.name}`, obj: f });
    }
    if (isEnumType(t)) for (const v of t.getValues()) out.push({ key: `${t.name}.${v.name}`, obj: v });
  }
  return out;
}

/** Fills in DESCRIPTIONS where an element has no description of its own. */
export function describeSchema(schema: GraphQLSchema): void {
  for (const { key, obj } of elements(schema)) {
    if (!obj.description && DESCRIPTIONS[key]) obj.description = DESCRIPTIONS[key];
  }
}

/** Elements without a description (the test wants none). */
export const undescribed = (schema: GraphQLSchema): string[] =>
  elements(schema)
    .filter((e) => !e.obj.description?.trim())
    .map((e) => e.key);

/** DESCRIPTIONS keys that name no element of the schema (a renamed or removed element). */
export function staleDescriptionKeys(schema: GraphQLSchema): string[] {
  const keys = new Set(elements(schema).map((e) => e.key));
  return Object.keys(DESCRIPTIONS).filter((k) => !keys.has(k));
}
