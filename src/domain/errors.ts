/** Bad user input; the GraphQL layer maps it to BAD_USER_INPUT with `extensions.field`. */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
