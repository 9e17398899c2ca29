/** Links of a delivery's subject, built from the server's configured base URL (never from a request). */
export function deliveryLinks(base: string, projectId: string, eventType: string, subjectId: string | null): { console: string | null; api: string | null } {
  const kind = eventType.split('.')[0]!;
  const project = encodeURIComponent(projectId);
  if (subjectId === null) return { console: `${base}/console`, api: null };
  const id = encodeURIComponent(subjectId);
  if (kind === 'backup' || kind === 'restore' || kind === 'cleanup') {
    return { console: `${base}/console#/jobs/${kind}/${id}`, api: `${base}/v2/${project}/${kind}s/${id}` };
  }
  if (kind === 'agent') return { console: `${base}/console#/agents/${id}`, api: `${base}/v2/${project}/agents/${id}` };
  if (kind === 'drill') return { console: `${base}/console#/drill-runs/${id}`, api: `${base}/v2/${project}/drill-runs/${id}` };
  if (kind === 'task') return { console: `${base}/console`, api: `${base}/v3/tasks/${id}` };
  return { console: `${base}/console`, api: null };
}
