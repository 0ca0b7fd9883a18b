import { graphql } from './gql';

// Every request the app makes. Types come from schema.graphql through graphql-codegen (src/gql, generated).

export const LOGIN = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      token
      user {
        id
        username
      }
    }
  }
`);

export const ME = graphql(`
  query Me {
    me {
      id
      username
    }
  }
`);

export const PORTFOLIOS = graphql(`
  query Portfolios {
    portfolios {
      id
      name
    }
  }
`);

export const TOTALS = graphql(`
  query Totals($id: ID!) {
    portfolio(id: $id) {
      id
      totals {
        marketValue
        costBasis
        unrealizedPnl
        realizedPnl
        totalPnl
        dayPnl
        netDelta
        netGamma
        netTheta
        netVega
        strategyCount
        legCount
      }
    }
  }
`);

export const STRATEGY_ROW = graphql(`
  fragment StrategyRow on Strategy {
    id
    name
    type
    status
    legCount
    isSynthetic
    tags {
      id
      name
      color
    }
    metrics {
      unrealizedPnl
      realizedPnl
      totalPnl
      dayPnl
      marketValue
      netDelta
      netTheta
      stale
    }
    legs {
      id
      symbol
      positionType
      quantity
      underlyingSymbol
      optionType
      strikePrice
      expirationDate
      lastPrice
      priceSource
      marketValue
      unrealizedPnl
      investmentClass
      status
      markPrice
      exitPrice
      exitDate
      realizedPnl
      dayPnl
      greeks {
        delta
        gamma
        theta
        vega
      }
    }
  }
`);

export const STRATEGIES = graphql(`
  query Strategies($id: ID!, $first: Int!, $after: String, $filter: StrategyFilter) {
    portfolio(id: $id) {
      id
      strategies(first: $first, after: $after, filter: $filter) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...StrategyRow
          }
        }
      }
    }
  }
`);

export const GROUPED = graphql(`
  query Grouped($id: ID!, $by: GroupBy!, $filter: StrategyFilter) {
    portfolio(id: $id) {
      id
      groupedStrategies(by: $by, filter: $filter) {
        key
        tag {
          id
          name
          color
        }
        totals {
          marketValue
          unrealizedPnl
          netDelta
          netTheta
          strategyCount
        }
        strategies {
          ...StrategyRow
        }
      }
    }
  }
`);

export const TAGS = graphql(`
  query Tags($includeArchived: Boolean) {
    tags(includeArchived: $includeArchived) {
      id
      name
      color
      description
      displayOrder
      usageCount
      isArchived
    }
  }
`);

export const CREATE_TAG = graphql(`
  mutation CreateTag($input: TagInput!) {
    createTag(input: $input) {
      id
      name
      color
      description
      displayOrder
      usageCount
      isArchived
    }
  }
`);
export const UPDATE_TAG = graphql(`
  mutation UpdateTag($input: TagUpdateInput!) {
    updateTag(input: $input) {
      id
      name
      color
      description
      displayOrder
      usageCount
      isArchived
    }
  }
`);
export const REORDER_TAGS = graphql(`
  mutation ReorderTags($ids: [ID!]!) {
    reorderTags(tagIds: $ids) {
      id
      displayOrder
    }
  }
`);
export const ARCHIVE_TAG = graphql(`
  mutation ArchiveTag($id: ID!) {
    archiveTag(id: $id) {
      id
      isArchived
      usageCount
    }
  }
`);
export const RESTORE_TAG = graphql(`
  mutation RestoreTag($id: ID!) {
    restoreTag(id: $id) {
      id
      isArchived
      usageCount
    }
  }
`);
export const ADD_TAGS = graphql(`
  mutation AddTags($strategyId: ID!, $tagIds: [ID!]!) {
    addStrategyTags(strategyId: $strategyId, tagIds: $tagIds) {
      id
      tags {
        id
        name
        color
      }
    }
  }
`);
export const REMOVE_TAGS = graphql(`
  mutation RemoveTags($strategyId: ID!, $tagIds: [ID!]!) {
    removeStrategyTags(strategyId: $strategyId, tagIds: $tagIds) {
      removedCount
      strategy {
        id
        tags {
          id
          name
          color
        }
      }
    }
  }
`);

export const PREVIEW = graphql(`
  query Preview($legIds: [ID!]!) {
    previewStrategy(legIds: $legIds) {
      type
      suggestedName
      confidence
      payoff {
        maxProfit
        maxLoss
        breakEvenPoints
        curve(points: 61) {
          underlyingPrice
          pnl
        }
      }
    }
  }
`);
export const COMBINE = graphql(`
  mutation Combine($input: CombineInput!) {
    combineLegs(input: $input) {
      id
      name
      type
      legCount
    }
  }
`);
export const APPLY_DETECTIONS = graphql(`
  mutation ApplyDetections($id: ID!) {
    applyDetections(portfolioId: $id) {
      id
      name
      type
    }
  }
`);
export const SPLIT = graphql(`
  mutation Split($id: ID!) {
    splitStrategy(id: $id) {
      id
      name
      type
    }
  }
`);
export const UPDATE_STRATEGY = graphql(`
  mutation UpdateStrategy($id: ID!, $name: String, $type: StrategyType) {
    updateStrategy(id: $id, name: $name, type: $type) {
      id
      name
      type
    }
  }
`);
export const CLOSE_STRATEGY = graphql(`
  mutation CloseStrategy($id: ID!, $exitPrices: [LegExitInput!]) {
    closeStrategy(id: $id, exitPrices: $exitPrices) {
      id
      status
      closedAt
    }
  }
`);

export const STRATEGY_DETAIL = graphql(`
  query StrategyDetail($id: ID!, $points: Int!) {
    strategy(id: $id) {
      id
      name
      type
      status
      createdAt
      closedAt
      legs {
        id
        symbol
        underlyingSymbol
        investmentClass
        lastPrice
        priceSource
        quantity
        positionType
        status
        markPrice
      }
      metrics {
        unrealizedPnl
        realizedPnl
        totalPnl
        marketValue
        costBasis
        netDelta
        netGamma
        netTheta
        netVega
        stale
        calculatedAt
        payoff {
          maxProfit
          maxLoss
          breakEvenPoints
          curve(points: $points) {
            underlyingPrice
            pnl
          }
          tZeroCurve(points: $points) {
            underlyingPrice
            pnl
          }
        }
      }
      timeline {
        date
        totalPnl
      }
      m2m {
        bucketStart
        open
        high
        low
        close
      }
      versions {
        version
        change
        details
        createdAt
      }
      ancestors {
        id
        name
      }
      descendants {
        id
        name
      }
    }
  }
`);

export const PERFORMANCE = graphql(`
  query Performance($id: ID!) {
    performanceByStrategyType(portfolioId: $id) {
      key
      strategyCount
      unrealizedPnl
      returnPct
      sharpeRatio
      maxDrawdown
      winRate
    }
    performanceByTag(portfolioId: $id) {
      key
      strategyCount
      unrealizedPnl
      returnPct
      sharpeRatio
      maxDrawdown
      winRate
    }
  }
`);

/** What the import panel shows of a run: the mutation, the query and the progress subscription read the same fields. */
export const IMPORT_RUN = graphql(`
  fragment ImportRun on BatchRun {
    id
    status
    total
    completed
    failed
    errors
    progress
    message
  }
`);
export const IMPORT = graphql(`
  mutation Import($id: ID!, $csv: String!) {
    importPositions(portfolioId: $id, csv: $csv) {
      run {
        ...ImportRun
      }
    }
  }
`);
export const BATCH_RUN = graphql(`
  query BatchRunState($id: ID!) {
    batchRun(id: $id) {
      ...ImportRun
    }
  }
`);
export const BATCH_PROGRESS = graphql(`
  subscription BatchProgress($id: ID!) {
    batchRunProgress(id: $id) {
      ...ImportRun
    }
  }
`);

export const METRICS_UPDATED = graphql(`
  subscription MetricsUpdated($id: ID!) {
    strategyMetricsUpdated(portfolioId: $id) {
      ...StrategyRow
    }
  }
`);
export const PORTFOLIO_CHANGED = graphql(`
  subscription PortfolioChanged($id: ID!) {
    portfolioChanged(portfolioId: $id) {
      portfolioId
      kind
      strategyIds
      at
    }
  }
`);
