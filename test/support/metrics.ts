/** The service's Prometheus text, as sample → value (`name{label="v",...}` keyed as printed). */
export async function scrapeMetrics(
  baseUrl: string,
): Promise<{ contentType: string | null; samples: Map<string, number> }> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { contentType: response.headers.get('content-type'), samples };
}
