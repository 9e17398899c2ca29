/** Supplies the `X-Auth-Token` of a client; `refresh` is called once after a 401 with the token that was refused. */
export interface TokenSource {
  token(): Promise<string>;
  refresh(refused: string): Promise<string>;
}

/**
 * One request with the current token; when the server answers 401 (the token expired or was revoked), a fresh
 * token and one more try. The CLI's and the agent's clients all send through here.
 */
export async function sendWithToken(tokens: TokenSource, send: (token: string) => Promise<Response>): Promise<Response> {
  const token = await tokens.token();
  const response = await send(token);
  if (response.status !== 401) return response;
  await response.body?.cancel();
  return send(await tokens.refresh(token));
}
