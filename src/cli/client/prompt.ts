import { promptHidden } from '../../terminal/hidden-prompt.js';

/** A secret from the environment variable `variable` when it is set, else asked for on the terminal. */
export async function secretFor(variable: string, question: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return promptHidden(question, `no terminal to ask for a password on; set ${variable}`);
}

/** The password from COFFER_PASSWORD, else asked for on the terminal. */
export function passwordFor(user: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return secretFor('COFFER_PASSWORD', `Password for ${user}: `, env);
}
