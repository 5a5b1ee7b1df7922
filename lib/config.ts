/** Configuration comes from the environment, read once and failing fast with the variable's name. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} must be set`);
  return value;
}
