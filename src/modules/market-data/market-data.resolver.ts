import { Arg, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import { requireUser, type Context } from '../../context';
import { PriceInput } from './market-data.types';

@Resolver()
export class MarketDataResolver {
  @Mutation(() => Int, { description: 'number of prices accepted' })
  publishPrices(@Arg('prices', () => [PriceInput]) prices: PriceInput[], @Ctx() ctx: Context) {
    return ctx.app.marketData.publish(requireUser(ctx), prices);
  }
}
