import 'reflect-metadata';
import { createSchema, SCHEMA_FILE } from './schema';

/** `npm run schema`: writes schema.graphql from the resolvers. */
createSchema(undefined, true).then(
  () => console.log(`wrote ${SCHEMA_FILE}`),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
