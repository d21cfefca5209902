/** Table cells, summary values and chart values that show a count of 1 to 4. */
export function smallCountsIn(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<(td|dd)[^>]*>([\s\S]*?)<\/\1>/g)) {
    const text = m[2]!.replace(/<[^>]+>/g, '').replace(/fewer than 5/g, '').trim();
    if (/^[1-4]$/.test(text) || /(^|[^\d.+−:-])[1-4](?![\d.%:])(?! out of 10)/.test(text.replace(/\d{4}-\d{2}-\d{2}/g, '').replace(/\d+ (minute|hour|day)s?/g, ''))) found.push(text);
  }
  for (const m of html.matchAll(/<script type="application\/json" data-chart="[^"]*">([\s\S]*?)<\/script>/g)) {
    const spec = JSON.parse(m[1]!) as { percent?: boolean; yMax?: number; datasets: { data: (number | null)[] }[] };
    if (spec.percent || spec.yMax) continue;
    for (const d of spec.datasets) for (const v of d.data) if (v !== null && v > 0 && v < 5) found.push(`chart value ${v}`);
  }
  return found;
}

export function smallCountsInCard(json: string): string[] {
  return [...json.matchAll(/"value":"([^"]*)"/g)].map((m) => m[1]!).filter((v) => /(^|[^\d.+−-])[1-4](?![\d.%:])/.test(v.replace(/fewer than 5/g, '').replace(/\d+ (minute|hour|day)s?/g, '')));
}
