import { describe, expect, it } from 'vitest';
import { BUILTIN_RANGES, BUILTIN_TYPES, decodeValue, valueDecoderFor } from '../../../../../worker/replication/decoder/value-decoder.ts';
import { civilFromDays, daysFromCivil } from '../../../../../worker/replication/decoder/pg-datetime.ts';

const OID = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, json: 114, xml: 142,
  box: 603, float4: 700, float8: 701, money: 790, inet: 869, bpchar: 1042, varchar: 1043, date: 1082, time: 1083,
  timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266, varbit: 1562, numeric: 1700, uuid: 2950, jsonb: 3802,
  boolArr: 1000, byteaArr: 1001, int4Arr: 1007, textArr: 1009, int8Arr: 1016, boxArr: 1020, float8Arr: 1022,
  timestamptzArr: 1185, numericArr: 1231, jsonbArr: 3807,
};

const json = (v: unknown) => JSON.stringify(v);

describe('value decoder: scalars', () => {
  it('bool', () => {
    expect(decodeValue(OID.bool, 't')).toBe(true);
    expect(decodeValue(OID.bool, 'f')).toBe(false);
    expect(() => decodeValue(OID.bool, 'true')).toThrow('not a boolean: "true"');
  });

  it('int2, int4, oid → number', () => {
    expect(decodeValue(OID.int2, '-32768')).toBe(-32768);
    expect(decodeValue(OID.int4, '2147483647')).toBe(2147483647);
    expect(decodeValue(OID.int4, '-2147483648')).toBe(-2147483648);
    expect(decodeValue(OID.oid, '4294967295')).toBe(4294967295);
  });

  it('int8 → exact 64-bit number in JSON output', () => {
    expect(json({ v: decodeValue(OID.int8, '9223372036854775807') })).toBe('{"v":9223372036854775807}');
    expect(json({ v: decodeValue(OID.int8, '-9223372036854775808') })).toBe('{"v":-9223372036854775808}');
    expect(json(decodeValue(OID.int8, '0'))).toBe('0');
    expect((JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(decodeValue(OID.int8, '1'))).toBe(true);
  });

  it('float4, float8 → number, with NaN and infinities as strings', () => {
    expect(decodeValue(OID.float8, '3.141592653589793')).toBe(3.141592653589793);
    expect(decodeValue(OID.float8, '1e+308')).toBe(1e308);
    expect(decodeValue(OID.float8, '-2.2250738585072014e-308')).toBe(-2.2250738585072014e-308);
    expect(decodeValue(OID.float4, '1.1')).toBe(1.1); // shortest text: JSON writes 1.1, not 1.100000023841858
    expect(decodeValue(OID.float4, 'NaN')).toBe('NaN');
    expect(decodeValue(OID.float8, 'Infinity')).toBe('Infinity');
    expect(decodeValue(OID.float8, '-Infinity')).toBe('-Infinity');
    expect(json([decodeValue(OID.float8, '-0'), decodeValue(OID.float4, '0')])).toBe('[-0,0]'); // the sign of zero survives
  });

  it('numeric → exact decimal string', () => {
    const big = '123456789012345678901234567890.000000000000000000001';
    expect(decodeValue(OID.numeric, big)).toBe(big);
    expect(decodeValue(OID.numeric, '-0.00')).toBe('-0.00');
    for (const special of ['NaN', 'Infinity', '-Infinity']) expect(decodeValue(OID.numeric, special)).toBe(special);
  });

  it('money → exact decimal string from the C-locale text; other locales\' text as is', () => {
    expect(decodeValue(OID.money, '-$1,234.56')).toBe('-1234.56');
    expect(decodeValue(OID.money, '$92,233,720,368,547,758.07')).toBe('92233720368547758.07');
    expect(decodeValue(OID.money, '-$92,233,720,368,547,758.08')).toBe('-92233720368547758.08');
    expect(decodeValue(OID.money, '$0.00')).toBe('0.00');
    expect(decodeValue(OID.money, '1.234,56 €')).toBe('1.234,56 €'); // de_DE: ',' is the decimal point, not guessed at
    expect(decodeValue(OID.money, '$1.234,56')).toBe('$1.234,56');
  });

  it('text-like and unknown types → the text as is', () => {
    for (const [oid, text] of [
      [OID.text, 'héllo 世界'], [OID.varchar, ''], [OID.bpchar, 'ab  '], [OID.name, 'pg_class'], [OID.char, 'x'],
      [OID.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], [OID.xml, '<a>1</a>'], [OID.inet, '192.168.0.1/24'],
      [OID.varbit, '10101'], [22, '1 2 3'], [30, '16384 25'],
      [999999, 'whatever'],
    ] as const) {
      expect(decodeValue(oid, text)).toBe(text);
    }
  });

  it('bytea → base64, from hex or escape output', () => {
    expect(decodeValue(OID.bytea, '\\x')).toBe('');
    expect(decodeValue(OID.bytea, '\\xdeadbeef00ff')).toBe(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 0xff]).toString('base64'));
    expect(decodeValue(OID.bytea, 'a\\\\b\\000\\377')).toBe(Buffer.from([0x61, 0x5c, 0x62, 0, 0xff]).toString('base64'));
    expect(decodeValue(OID.bytea, '')).toBe('');
  });

  it('json, jsonb → the JSON text as a string', () => {
    expect(decodeValue(OID.jsonb, '{"a": 1, "b": [true, null]}')).toBe('{"a": 1, "b": [true, null]}');
    expect(decodeValue(OID.json, ' "x" ')).toBe(' "x" ');
  });
});

describe('value decoder: dates and times', () => {
  it('date → ISO, years BC and past 9999 in the expanded form', () => {
    for (const d of ['2024-02-29', 'infinity', '-infinity', '0001-01-01']) expect(decodeValue(OID.date, d)).toBe(d);
    expect(decodeValue(OID.date, '0044-03-15 BC')).toBe('-000043-03-15');
    expect(decodeValue(OID.date, '0001-12-31 BC')).toBe('0000-12-31');
    expect(decodeValue(OID.date, '4714-11-24 BC')).toBe('-004713-11-24');
    expect(decodeValue(OID.date, '5874897-12-31')).toBe('+5874897-12-31');
    expect(() => decodeValue(OID.date, '02/29/2024')).toThrow(/DateStyle=ISO/);
  });

  it('interval → ISO 8601 duration', () => {
    expect(decodeValue(OID.interval, '1 year 2 mons 3 days 04:05:06.789')).toBe('P1Y2M3DT4H5M6.789S');
    expect(decodeValue(OID.interval, 'P1Y')).toBe('P1Y');
  });

  it('timestamp → ISO without zone, microseconds kept', () => {
    expect(decodeValue(OID.timestamp, '2024-01-02 03:04:05.123456')).toBe('2024-01-02T03:04:05.123456');
    expect(decodeValue(OID.timestamp, '2024-01-02 03:04:05')).toBe('2024-01-02T03:04:05');
    expect(decodeValue(OID.timestamp, '0044-03-15 12:00:00.5 BC')).toBe('-000043-03-15T12:00:00.5');
    expect(decodeValue(OID.timestamp, '0001-01-01 00:00:00 BC')).toBe('0000-01-01T00:00:00');
    expect(decodeValue(OID.timestamp, '294276-12-31 23:59:59.999999')).toBe('+294276-12-31T23:59:59.999999');
    expect(decodeValue(OID.timestamp, 'infinity')).toBe('infinity');
    expect(decodeValue(OID.timestamp, '-infinity')).toBe('-infinity');
  });

  it('timestamptz → UTC ISO with Z, microseconds kept, any session offset', () => {
    expect(decodeValue(OID.timestamptz, '2024-01-02 03:04:05.123456+00')).toBe('2024-01-02T03:04:05.123456Z');
    expect(decodeValue(OID.timestamptz, '2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05Z');
    expect(decodeValue(OID.timestamptz, '2024-01-02 03:04:05.000001+05:30')).toBe('2024-01-01T21:34:05.000001Z');
    expect(decodeValue(OID.timestamptz, '2023-12-31 20:00:00.25-08')).toBe('2024-01-01T04:00:00.25Z');
    expect(decodeValue(OID.timestamptz, '2024-02-28 23:30:00-01')).toBe('2024-02-29T00:30:00Z');
    expect(decodeValue(OID.timestamptz, '2024-01-02 12:00:00+05:30')).toBe('2024-01-02T06:30:00Z');
    expect(decodeValue(OID.timestamptz, '2024-12-31 23:59:59.999999-00:01:15')).toBe('2025-01-01T00:01:14.999999Z');
    expect(decodeValue(OID.timestamptz, '1900-01-01 00:00:00+00:53:28')).toBe('1899-12-31T23:06:32Z');
    expect(decodeValue(OID.timestamptz, '0001-01-01 00:30:00+01 BC')).toBe('-000001-12-31T23:30:00Z');
    expect(decodeValue(OID.timestamptz, '10000-01-01 00:00:00+00')).toBe('+010000-01-01T00:00:00Z');
    expect(decodeValue(OID.timestamptz, 'infinity')).toBe('infinity');
    expect(decodeValue(OID.timestamptz, '-infinity')).toBe('-infinity');
  });

  it('refuses non-ISO DateStyle output rather than guess', () => {
    expect(() => decodeValue(OID.timestamptz, 'Tue Jan 02 03:04:05.123456 2024 UTC')).toThrow(/DateStyle=ISO/);
    expect(() => decodeValue(OID.timestamp, '01/02/2024 03:04:05')).toThrow(/DateStyle=ISO/);
    expect(() => decodeValue(OID.timetz, '03:04:05')).toThrow(/DateStyle=ISO/);
  });

  it('time → as is; timetz → UTC with Z, wrapped into the day', () => {
    expect(decodeValue(OID.time, '23:59:59.999999')).toBe('23:59:59.999999');
    expect(decodeValue(OID.time, '24:00:00')).toBe('24:00:00');
    expect(decodeValue(OID.timetz, '03:04:05.123456+05:30')).toBe('21:34:05.123456Z');
    expect(decodeValue(OID.timetz, '23:00:00-02')).toBe('01:00:00Z');
    expect(decodeValue(OID.timetz, '12:00:00+00')).toBe('12:00:00Z');
  });

  it('calendar arithmetic round-trips over the whole PostgreSQL range', () => {
    const bad: number[] = [];
    for (let days = daysFromCivil(-4713, 1, 1); days < daysFromCivil(294277, 1, 1); days += 997) {
      const [y, m, d] = civilFromDays(days);
      if (daysFromCivil(y, m, d) !== days || m < 1 || m > 12 || d < 1 || d > 31) bad.push(days);
    }
    expect(bad).toEqual([]);
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 1, 1)).toBe(10957);
    expect(civilFromDays(-1)).toEqual([1969, 12, 31]);
  });
});

describe('value decoder: arrays', () => {
  it('int4[] with NULLs, text[] with quoting and escapes', () => {
    expect(decodeValue(OID.int4Arr, '{1,2,NULL,-4}')).toEqual([1, 2, null, -4]);
    expect(decodeValue(OID.textArr, '{plain,"a,b","x\\"y","back\\\\slash","NULL",null,"","{}","with space",é}'))
      .toEqual(['plain', 'a,b', 'x"y', 'back\\slash', 'NULL', null, '', '{}', 'with space', 'é']);
  });

  it('empty and multi-dimensional arrays, dimension decoration dropped', () => {
    expect(decodeValue(OID.int4Arr, '{}')).toEqual([]);
    expect(decodeValue(OID.int4Arr, '{{1,2},{3,4}}')).toEqual([[1, 2], [3, 4]]);
    expect(decodeValue(OID.textArr, '{{{a},{NULL}},{{"}"},{"\\\\"}}}')).toEqual([[['a'], [null]], [['}'], ['\\']]]);
    expect(decodeValue(OID.int4Arr, '[0:1]={7,8}')).toEqual([7, 8]);
    expect(decodeValue(OID.int4Arr, '[1:1][-1:0]={{5,6}}')).toEqual([[5, 6]]);
  });

  it('elements are converted by the element type', () => {
    expect(json(decodeValue(OID.int8Arr, '{9223372036854775807,NULL}'))).toBe('[9223372036854775807,null]');
    expect(decodeValue(OID.boolArr, '{t,f,NULL}')).toEqual([true, false, null]);
    expect(decodeValue(OID.numericArr, '{1.50,NaN,-Infinity}')).toEqual(['1.50', 'NaN', '-Infinity']);
    expect(decodeValue(OID.float8Arr, '{1.5,NaN}')).toEqual([1.5, 'NaN']);
    expect(decodeValue(OID.jsonbArr, '{"{\\"a\\": 1}","[1, 2]",NULL}')).toEqual(['{"a": 1}', '[1, 2]', null]);
    expect(decodeValue(OID.byteaArr, '{"\\\\x0102",NULL}')).toEqual([Buffer.from([1, 2]).toString('base64'), null]);
    expect(decodeValue(OID.timestamptzArr, '{"2024-01-02 03:04:05.5+01",infinity}')).toEqual(['2024-01-02T02:04:05.5Z', 'infinity']);
  });

  it("box[] uses ';' as delimiter", () => {
    expect(decodeValue(OID.boxArr, '{(1,1),(0,0);(3,3),(2,2)}')).toEqual(['(1,1),(0,0)', '(3,3),(2,2)']);
  });

  it('built-in ranges, multiranges and their arrays, bounds by the subtype', () => {
    const r = (lower: unknown, upper: unknown, lowerInclusive: boolean, upperInclusive: boolean) => ({ lower, upper, lowerInclusive, upperInclusive, empty: false });
    expect(decodeValue(3904, '[1,10)')).toEqual(r(1, 10, true, false));
    expect(json(decodeValue(3926, '[-9223372036854775808,9223372036854775807)'))).toContain('"lower":-9223372036854775808,"upper":9223372036854775807');
    expect(decodeValue(3906, '(,2.50]')).toEqual(r(null, '2.50', false, true));
    expect(decodeValue(3910, '["2024-01-01 02:00:00.5+00",infinity)')).toEqual(r('2024-01-01T02:00:00.5Z', 'infinity', true, false));
    expect(decodeValue(3912, '["0044-03-15 BC",)')).toEqual(r('-000043-03-15', null, true, false));
    expect(decodeValue(3904, 'empty')).toEqual({ lower: null, upper: null, lowerInclusive: false, upperInclusive: false, empty: true });
    expect(decodeValue(4451, '{[1,3),[5,7)}')).toEqual([r(1, 3, true, false), r(5, 7, true, false)]);
    expect(decodeValue(4451, '{}')).toEqual([]);
    expect(decodeValue(3905, '{"[1,2)",empty,NULL}')).toEqual([r(1, 2, true, false), { lower: null, upper: null, lowerInclusive: false, upperInclusive: false, empty: true }, null]);
    expect(decodeValue(6150, '{"{[1,2)}","{}"}')).toEqual([[r(1, 2, true, false)], []]);
  });

  it('refuses malformed literals', () => {
    expect(() => decodeValue(OID.int4Arr, '1,2')).toThrow(/malformed array literal at position 0/);
    expect(() => decodeValue(OID.int4Arr, '{1,2')).toThrow(/malformed array literal/);
    expect(() => decodeValue(OID.int4Arr, '{1,2}x')).toThrow(/trailing characters/);
    expect(() => decodeValue(OID.textArr, '{"abc}')).toThrow(/unterminated quoted element/);
    expect(() => decodeValue(OID.int4Arr, '{1,,2}')).toThrow(/empty element/);
  });
});

describe('value decoder: the OID table', () => {
  it('has unique OIDs and gives one cached decoder per type', () => {
    const oids = [...BUILTIN_TYPES.flatMap(([oid, , arrayOid]) => [oid, arrayOid]), ...BUILTIN_RANGES.flatMap(([oid, arrayOid, , mr, mrArray]) => [oid, arrayOid, mr, mrArray])];
    expect(new Set(oids).size).toBe(oids.length);
    expect(valueDecoderFor(OID.int4Arr)).toBe(valueDecoderFor(OID.int4Arr));
    expect(valueDecoderFor(123456)('x')).toBe('x');
  });
});
