// PostgreSQL date/time text (DateStyle ISO) → ISO-8601 strings, exact to the
// microsecond. JS Date is not used: it holds milliseconds only, and its
// range (±275760 years) is narrower than PostgreSQL's (4713 BC - 294276 AD).
//
// PostgreSQL's ISO output: timestamp '2024-01-02 03:04:05.123456', with
// trailing zeros of the fraction trimmed and ' BC' appended for years BC;
// timestamptz adds the offset of the session TimeZone, '+00', '+05:30', or
// '-00:01:15' (seconds for historical local mean time).

const TS = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;
const TIMETZ = /^(\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/;

function notIso(kind: string, text: string): Error {
  return new Error(`cannot parse ${kind} ${JSON.stringify(text)}: the replication session must use DateStyle=ISO`);
}

const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;

/** date → 'YYYY-MM-DD', years BC and past 9999 in ISO 8601's expanded form like timestamps. */
export function dateToIso(text: string): string {
  if (text.length === 10 && text.charCodeAt(4) === 0x2d) return text; // 4-digit year AD: already ISO
  if (text === 'infinity' || text === '-infinity') return text;
  const m = DATE.exec(text);
  if (!m) throw notIso('date', text);
  return `${isoYear(m[4] ? 1 - Number(m[1]) : Number(m[1]))}-${m[2]}-${m[3]}`;
}

/** timestamp without time zone → 'YYYY-MM-DDTHH:MM:SS[.ffffff]' (no zone). */
export function timestampToIso(text: string): string {
  if (text === 'infinity' || text === '-infinity') return text;
  // Fast path: 4-digit year AD, the overwhelming case.
  if (text.length >= 19 && text.charCodeAt(4) === 0x2d && text.charCodeAt(10) === 0x20 && !text.endsWith('BC')) {
    return `${text.slice(0, 10)}T${text.slice(11)}`;
  }
  const m = TS.exec(text);
  if (!m || m[8] !== undefined) throw notIso('timestamp', text);
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  return `${isoYear(year)}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}`;
}

/** timestamp with time zone → UTC 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'. */
export function timestamptzToIso(text: string): string {
  if (text === 'infinity' || text === '-infinity') return text;
  // Fast path: session TimeZone UTC and a 4-digit year AD.
  if (text.endsWith('+00') && text.charCodeAt(4) === 0x2d && text.charCodeAt(10) === 0x20 && text.length >= 22) {
    return `${text.slice(0, 10)}T${text.slice(11, -3)}Z`;
  }
  const quick = timestamptzFixed(text);
  if (quick !== undefined) return quick;
  const m = TS.exec(text);
  if (!m || m[8] === undefined) throw notIso('timestamptz', text);
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  const offset = offsetSeconds(m[8], m[9], m[10], m[11]);
  const local = daysFromCivil(year, Number(m[2]), Number(m[3])) * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  const utc = local - offset;
  const days = Math.floor(utc / 86400);
  const [y, mo, d] = civilFromDays(days);
  return `${isoYear(y)}-${pad2(mo)}-${pad2(d)}T${clock(utc - days * 86400)}${m[7] ?? ''}Z`;
}

/**
 * The common non-UTC case without a regex: a 4-digit year AD, read at fixed
 * positions 'YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]'. Undefined when the
 * text has another shape (the regex path then handles it or throws).
 */
function timestamptzFixed(s: string): string | undefined {
  const n = s.length;
  if (n < 22 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x20 ||
      s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return undefined;
  let z = 19; // end of the fraction, start of the offset
  if (s.charCodeAt(z) === 0x2e) while (isDigit(s.charCodeAt(++z)));
  const sign = s.charCodeAt(z);
  if (sign !== 0x2b && sign !== 0x2d) return undefined;
  let off: number;
  const rest = n - z;
  if (rest === 3) off = num(s, z + 1, z + 3) * 3600;
  else if (rest === 6 && s.charCodeAt(z + 3) === 0x3a) off = num(s, z + 1, z + 3) * 3600 + num(s, z + 4, z + 6) * 60;
  else if (rest === 9 && s.charCodeAt(z + 3) === 0x3a && s.charCodeAt(z + 6) === 0x3a) {
    off = num(s, z + 1, z + 3) * 3600 + num(s, z + 4, z + 6) * 60 + num(s, z + 7, z + 9);
  } else return undefined; // e.g. ' BC'
  const year = num(s, 0, 4);
  const month = num(s, 5, 7);
  const day = num(s, 8, 10);
  const tod = num(s, 11, 13) * 3600 + num(s, 14, 16) * 60 + num(s, 17, 19) - (sign === 0x2d ? -off : off);
  if (Number.isNaN(tod + year + month + day)) return undefined;
  const frac = s.slice(19, z);
  if (tod >= 0 && tod < 86400) return `${s.slice(0, 10)}T${clock(tod)}${frac}Z`; // same date
  const shift = Math.floor(tod / 86400);
  const [y, mo, d] = civilFromDays(daysFromCivil(year, month, day) + shift);
  return `${isoYear(y)}-${pad2(mo)}-${pad2(d)}T${clock(tod - shift * 86400)}${frac}Z`;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Decimal digits s[from, to) as a number; NaN if any is not a digit. */
function num(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return NaN;
    v = v * 10 + c - 0x30;
  }
  return v;
}

/**
 * time with time zone → UTC 'HH:MM:SS[.ffffff]Z', wrapped into 00:00-24:00,
 * as Debezium's io.debezium.time.ZonedTime does.
 */
export function timetzToIso(text: string): string {
  const m = TIMETZ.exec(text);
  if (!m) throw notIso('timetz', text);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const utc = (((local - offsetSeconds(m[5], m[6], m[7], m[8])) % 86400) + 86400) % 86400;
  return `${clock(utc)}${m[4] ?? ''}Z`;
}

function offsetSeconds(sign: string, hh: string, mm: string | undefined, ss: string | undefined): number {
  const s = Number(hh) * 3600 + (mm ? Number(mm) * 60 : 0) + (ss ? Number(ss) : 0);
  return sign === '-' ? -s : s;
}

function clock(secondOfDay: number): string {
  const h = Math.floor(secondOfDay / 3600);
  const mi = Math.floor((secondOfDay % 3600) / 60);
  return `${pad2(h)}:${pad2(mi)}:${pad2(secondOfDay % 60)}`;
}

/**
 * Astronomical year (1 BC = 0) as ISO 8601 writes it: 4 digits for 0000-9999,
 * else the expanded form with sign and 6 digits, which JS Date.parse accepts.
 */
function isoYear(y: number): string {
  if (y >= 0 && y <= 9999) return String(y).padStart(4, '0');
  return `${y < 0 ? '-' : '+'}${String(Math.abs(y)).padStart(6, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's
// algorithms); PostgreSQL's calendar is proleptic Gregorian too.
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
