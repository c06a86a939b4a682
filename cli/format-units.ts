// Numbers for people: counts with separators, bytes in IEC units (1024, as
// pg_size_pretty counts), durations in the two largest units.

export const formatCount = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 10) return `${Number(s.toFixed(2))} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [Math.floor(s % 60), 's'],
  ];
  const first = parts.findIndex(([v]) => v > 0);
  return parts
    .slice(first, first + 2)
    .map(([v, u]) => `${v}${u}`)
    .join(' ');
}

export const formatRate = (perSecond: number) => (perSecond >= 100 ? formatCount(perSecond) : Number(perSecond.toFixed(1)).toString());
