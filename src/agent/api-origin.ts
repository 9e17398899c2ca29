/** A link from the server that points away from the API the agent was configured with. */
export class ForeignLinkError extends Error {
  constructor(
    readonly link: string,
    readonly api: string,
  ) {
    super(`refusing the link ${link}: it is not on the API's origin ${new URL(api).origin}, and the agent's token goes only there`);
    this.name = 'ForeignLinkError';
  }
}

/** Whether `link` is on the same scheme, host and port as `api` (the agent's `--api`). */
export function onApiOrigin(api: string, link: string): boolean {
  try {
    return new URL(link).origin === new URL(api).origin;
  } catch {
    return false;
  }
}
