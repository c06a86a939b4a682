// interval text (IntervalStyle=postgres, which the replication session pins)
// → ISO 8601 duration, exactly as PostgreSQL itself writes it with
// IntervalStyle=iso_8601: 'P1Y2M3DT4H5M6.789S', a sign on every negative
// part ('P-1Y-2M3DT-4H-5M-6.5S'), 'PT0S' for zero, 'infinity'/'-infinity'
// (PostgreSQL 17) kept. This is Debezium's interval.handling.mode=string;
// its default (microseconds, a month counted as 30 days) would lose the
// difference between '1 mon' and '30 days', which PostgreSQL keeps.
//
// postgres style: '[N year[s]] [N mon[s]] [N day[s]] [[+-]HH:MM:SS[.ffffff]]',
// e.g. '-1 years -2 mons +3 days -04:05:06.5'; hours may exceed 99.

const POSTGRES_STYLE = /^(?:([+-]?\d+) years? ?)?(?:([+-]?\d+) mons? ?)?(?:([+-]?\d+) days? ?)?(?:([+-])?(\d+):(\d\d):(\d\d)(?:\.(\d+))?)?$/;

export function intervalToIso(text: string): string {
  if (text === 'infinity' || text === '-infinity') return text;
  if (text.charCodeAt(0) === 0x50 /* P */) return text; // already iso_8601 style
  const m = POSTGRES_STYLE.exec(text);
  if (!m || text === '') throw new Error(`cannot parse interval ${JSON.stringify(text)}: the replication session must use IntervalStyle=postgres`);
  const [, years, months, days, sign, hours, minutes, seconds, fraction] = m;
  let out = 'P';
  out += part(years, 'Y') + part(months, 'M') + part(days, 'D');
  const neg = sign === '-' ? '-' : '';
  const h = Number(hours ?? 0);
  const mi = Number(minutes ?? 0);
  const s = Number(seconds ?? 0);
  if (h !== 0 || mi !== 0 || s !== 0 || fraction) {
    out += 'T';
    if (h !== 0) out += `${neg}${h}H`;
    if (mi !== 0) out += `${neg}${mi}M`;
    if (s !== 0 || fraction) out += `${neg}${s}${fraction ? `.${fraction}` : ''}S`;
  }
  return out === 'P' ? 'PT0S' : out;
}

function part(value: string | undefined, unit: string): string {
  const n = value === undefined ? 0 : Number(value);
  return n === 0 ? '' : `${n}${unit}`;
}
