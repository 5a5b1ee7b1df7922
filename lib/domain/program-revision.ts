/**
 * The revision of the program schema the normalized program stored at publish was made with
 * (lib/storage/programs.ts): a stored form of another revision is not trusted, the document is
 * parsed again (filling defaults added since). test/domain/program-revision.test.ts pins it to a
 * hash of the schema (its JSON Schema and its modules' source), so any change of the schema fails
 * that test until this says the new hash.
 */
export const PROGRAM_SCHEMA_REVISION = '5404216903c7f265';
