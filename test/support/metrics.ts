export interface Scrape {
  contentType: string | null;
  /** sample → value, keyed as printed (`name{label="v",...}`). */
  samples: Map<string, number>;
  /** The sum of a metric's samples whose labels include `labels` (undefined: no such sample). */
  sum(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample name printed (`foo_bucket`, `foo_count`, `bar_total`, ...). */
  names: Set<string>;
}

/** The service's Prometheus text, parsed. */
export async function scrapeMetrics(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const samples = new Map<string, number>();
  const parsed: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const key = line.slice(0, at);
    const value = Number(line.slice(at + 1));
    samples.set(key, value);
    parsed.push({ ...parseKey(key), value });
  }
  return {
    contentType: response.headers.get('content-type'),
    samples,
    names: new Set(parsed.map((sample) => sample.name)),
    sum: (name, labels = {}) => {
      const matching = parsed.filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
      );
      return matching.length === 0 ? undefined : matching.reduce((total, sample) => total + sample.value, 0);
    },
  };
}

function parseKey(key: string): { name: string; labels: Record<string, string> } {
  const brace = key.indexOf('{');
  if (brace === -1) return { name: key, labels: {} };
  const labels: Record<string, string> = {};
  for (const [, label, value] of key.slice(brace).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[label] = value;
  return { name: key.slice(0, brace), labels };
}
