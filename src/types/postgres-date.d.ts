/** postgres-date (node-pg's date parser) ships no types. */
declare module 'postgres-date' {
  function parseDate(isoDate: string): Date | number | null;
  export = parseDate;
}
