import type { Link, Urls } from '../../server/links.js';
import type { Logfile } from './logfile.js';
import type { TempUrlSigner } from './logfile-signing.js';

/** The authenticated upload/download URL of the file itself. */
export function logfileContentUrl(urls: Urls, logfile: Pick<Logfile, 'agentId' | 'id'>): string {
  return urls.v2('agents', logfile.agentId, 'logfiles', logfile.id, 'content');
}

/** The path that temp URLs sign: always with the project segment, whatever form the client used. */
export function logfileContentPath(logfile: Pick<Logfile, 'projectId' | 'agentId' | 'id'>): string {
  return ['', 'v2', logfile.projectId, 'agents', logfile.agentId, 'logfiles', logfile.id, 'content'].map(encodeURIComponent).join('/');
}

/** `{id, date, state, links}`; once uploaded, links add the file (`logfile`) and a signed download (`logfile_temp_url`). */
export async function presentLogfile(logfile: Logfile, urls: Urls, signer: TempUrlSigner) {
  const links: Link[] = [urls.link('self', 'agents', logfile.agentId, 'logfiles', logfile.id)];
  if (logfile.blobPath) {
    const href = logfileContentUrl(urls, logfile);
    const { sig, expires } = await signer.sign(logfileContentPath(logfile));
    links.push({ href, rel: 'logfile' }, { href: `${href}?temp_url_sig=${sig}&temp_url_expires=${expires}`, rel: 'logfile_temp_url' });
  }
  return { id: logfile.id, date: logfile.date, state: logfile.state, links };
}
