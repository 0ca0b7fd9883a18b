import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('User', { simpleResolvers: true })
export class UserType {
  @Field(() => ID) id: string;
  @Field(() => String) email: string;
  @Field(() => String) username: string;
  @Field(() => Date) createdAt: Date;
}

@ObjectType('AuthPayload', { simpleResolvers: true })
export class AuthPayload {
  @Field(() => String) token: string;
  @Field(() => UserType) user: UserType;
}

@InputType('RegisterInput')
export class RegisterInput {
  @Field(() => String) email: string;
  @Field(() => String) username: string;
  @Field(() => String) password: string;
}

@InputType('LoginInput')
export class LoginInput {
  @Field(() => String) usernameOrEmail: string;
  @Field(() => String) password: string;
}
