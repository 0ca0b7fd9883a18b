import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { NodeInterface } from '../../common/node';

@ObjectType('Tag', { simpleResolvers: true, implements: NodeInterface })
export class TagType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String, { description: '"#RRGGBB"' }) color: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field(() => Int) displayOrder: number;
  @Field(() => Date, { nullable: true }) archivedAt: Date | null;
}

@ObjectType('TagSuggestion', { simpleResolvers: true })
export class TagSuggestion {
  @Field(() => TagType, { nullable: true }) tag: unknown | null;
  @Field(() => String) name: string;
  @Field(() => Float) score: number;
  @Field(() => String) reason: string;
}

@InputType('TagInput')
export class TagInput {
  @Field(() => String) name: string;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType('TagUpdateInput')
export class TagUpdateInput {
  @Field(() => ID) id: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Int, { nullable: true }) displayOrder?: number | null;
}
