import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Portfolio')
export class PortfolioType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => Date) createdAt: Date;
}
