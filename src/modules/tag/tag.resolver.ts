import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireUser, type Context } from '../../context';
import { strategyConnection } from '../strategy/strategy.loaders';
import { RemoveTagsPayload, StrategyConnection, StrategyFilter, StrategyType_ } from '../strategy/strategy.types';
import type { TagEntity } from './tag.entity';
import { TagInput, TagSuggestion, TagType, TagUpdateInput } from './tag.types';

@Resolver(() => TagType)
export class TagResolver {
  @Query(() => [TagType])
  tags(
    @Ctx() ctx: Context,
    @Arg('includeArchived', () => Boolean, { nullable: true, defaultValue: false }) includeArchived: boolean,
  ) {
    return ctx.app.tags.list(requireUser(ctx), includeArchived);
  }

  @Query(() => [TagSuggestion])
  suggestTags(
    @Arg('strategyId', () => ID) strategyId: string,
    @Ctx() ctx: Context,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 5 }) limit: number,
  ) {
    return ctx.app.suggestions.suggest(requireUser(ctx), strategyId, limit);
  }

  @Mutation(() => TagType)
  createTag(@Arg('input', () => TagInput) input: TagInput, @Ctx() ctx: Context) {
    return ctx.app.tags.create(requireUser(ctx), input);
  }

  @Mutation(() => TagType)
  updateTag(@Arg('input', () => TagUpdateInput) input: TagUpdateInput, @Ctx() ctx: Context) {
    return ctx.app.tags.update(requireUser(ctx), input);
  }

  @Mutation(() => [TagType])
  batchUpdateTags(@Arg('inputs', () => [TagUpdateInput]) inputs: TagUpdateInput[], @Ctx() ctx: Context) {
    return ctx.app.tags.batchUpdate(requireUser(ctx), inputs);
  }

  @Mutation(() => [TagType])
  reorderTags(@Arg('tagIds', () => [ID]) tagIds: string[], @Ctx() ctx: Context) {
    return ctx.app.tags.reorder(requireUser(ctx), tagIds);
  }

  @Mutation(() => TagType)
  archiveTag(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.tags.archive(requireUser(ctx), id);
  }

  @Mutation(() => TagType)
  restoreTag(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.app.tags.restore(requireUser(ctx), id);
  }

  @Mutation(() => StrategyType_)
  async setStrategyTags(
    @Arg('strategyId', () => ID) strategyId: string,
    @Arg('tagIds', () => [ID]) tagIds: string[],
    @Ctx() ctx: Context,
  ) {
    await ctx.app.tags.setStrategyTags(requireUser(ctx), strategyId, tagIds);
    return ctx.app.strategies.get(requireUser(ctx), strategyId);
  }

  @Mutation(() => StrategyType_)
  async addStrategyTags(
    @Arg('strategyId', () => ID) strategyId: string,
    @Arg('tagIds', () => [ID]) tagIds: string[],
    @Ctx() ctx: Context,
  ) {
    await ctx.app.tags.addStrategyTags(requireUser(ctx), strategyId, tagIds);
    return ctx.app.strategies.get(requireUser(ctx), strategyId);
  }

  @Mutation(() => RemoveTagsPayload)
  async removeStrategyTags(
    @Arg('strategyId', () => ID) strategyId: string,
    @Arg('tagIds', () => [ID]) tagIds: string[],
    @Ctx() ctx: Context,
  ) {
    const removedCount = await ctx.app.tags.removeStrategyTags(requireUser(ctx), strategyId, tagIds);
    return { strategy: await ctx.app.strategies.get(requireUser(ctx), strategyId), removedCount };
  }

  @Mutation(() => [StrategyType_])
  bulkAssignTags(
    @Arg('strategyIds', () => [ID]) strategyIds: string[],
    @Arg('tagIds', () => [ID]) tagIds: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.app.tags.bulkAssign(requireUser(ctx), strategyIds, tagIds);
  }

  @FieldResolver(() => Int, { description: 'number of strategies currently carrying the tag' })
  usageCount(@Root() t: TagEntity, @Ctx() ctx: Context) {
    return ctx.loaders.usageCount.load(t.id);
  }

  @FieldResolver(() => Boolean)
  isArchived(@Root() t: TagEntity) {
    return t.archivedAt != null;
  }

  @FieldResolver(() => StrategyConnection)
  strategies(
    @Root() t: TagEntity,
    @Ctx() ctx: Context,
    @Arg('filter', () => StrategyFilter, { nullable: true }) filter: StrategyFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    return strategyConnection(ctx, { tagId: t.id }, filter, first, after, info);
  }
}
