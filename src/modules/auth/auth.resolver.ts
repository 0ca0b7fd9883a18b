import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { notFound } from '../../common/errors';
import { requireUser, type Context } from '../../context';
import { AuthPayload, LoginInput, RegisterInput, UserType } from './auth.types';

@Resolver()
export class AuthResolver {
  @Query(() => UserType)
  async me(@Ctx() ctx: Context) {
    const user = await ctx.app.auth.currentUser(requireUser(ctx));
    return user ?? notFound('User');
  }

  @Mutation(() => AuthPayload)
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context) {
    return ctx.app.auth.register(input, ctx.address);
  }

  @Mutation(() => AuthPayload)
  login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context) {
    return ctx.app.auth.login(input, ctx.address);
  }
}
