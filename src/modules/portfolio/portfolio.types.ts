import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Portfolio', { simpleResolvers: true })
export class PortfolioType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => Date) createdAt: Date;
}
