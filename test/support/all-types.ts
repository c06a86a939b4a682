import { S, type Spec } from './pg-expectations.ts';

// One table with a column of every type PostgreSQL has (built-in, extension,
// user-defined), and four rows of edge values for each, used by
// test/integration/type-round-trip.test.ts. Row 5 of the test is all NULL.

export const TYPES = String.raw`
  CREATE EXTENSION hstore;
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy, "very"', 'ünï 🎉');
  CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
  CREATE DOMAIN intarr AS int4[];
  CREATE TYPE inner_t AS (a int4, b text);
  CREATE TYPE floatrange AS RANGE (subtype = float8);
  CREATE TYPE textrange AS RANGE (subtype = text);
  CREATE TYPE outer_t AS (x inner_t, gone int, y posint[], z numeric, w mood, r floatrange, "we""ird, name" text);
  ALTER TYPE outer_t DROP ATTRIBUTE gone;`;

const inner = S.composite('inner_t', [['a', S.int('int4')], ['b', S.json('text')]]);
const floatrange = S.range('floatrange', S.float('float8'));
const int4range = S.range('int4range', S.int('int4'));
const tstzrange = S.range('tstzrange', S.timestamptz);

// [column, SQL type, expectation, values of rows 1-4 (row 5 is all NULL)]
export type Column = [name: string, sqlType: string, spec: Spec, values: string[]];
export const columns = (pgMajor: number): Column[] => [
  ['i2', 'int2', S.int('int2'), ['0', '32767', '-32768', '1']],
  ['i4', 'int4', S.int('int4'), ['42', '2147483647', '-2147483648', '0']],
  ['i8', 'int8', S.int('int8'), ['9007199254740993', '9223372036854775807', '-9223372036854775808', '0']],
  ['o', 'oid', S.int('oid'), ['0', '4294967295', '16384', '1']],
  ['num', 'numeric', S.text('numeric'), ['123456789012345678901234567890.123456789012345678901234567890', `'NaN'`, `'-Infinity'`, `'Infinity'`]],
  ['num_scaled', 'numeric(40,20)', S.text('numeric'), ['12345678901234567890.12345678901234567890', '-0.00000000000000000001', '0', '-0']],
  ['f4', 'float4', S.float('float4'), ['1.1', `'NaN'`, `'-Infinity'`, '3.4028235e38']],
  ['f8', 'float8', S.float('float8'), ['0.1', `'Infinity'`, `'-0'`, '-2.2250738585072014e-308']],
  ['m', 'money', S.money, ['1234.56', '92233720368547758.07', '-92233720368547758.08', '0']],
  ['t', 'text', S.json('text'), [String.raw`E'héllo 世界 🎉 \x01\x1f\t\n\r\x7f "q" \\ back'`, `''`, `'NULL'`, `' '`]],
  ['vc', 'varchar(20)', S.json('varchar'), [`'a,b'`, `''`, `'🎉🎉'`, `'x'`]],
  ['bc', 'char(5)', S.json('bpchar'), [`'ab'`, `''`, `'abcde'`, `'ü'`]],
  ['nm', 'name', S.json('name'), [`'pg_class'`, `''`, `'Ünï'`, `'a b'`]],
  ['ch', '"char"', S.json('"char"'), [`'x'`, `''`, `'"'`, `'\\'`]],
  ['by', 'bytea', S.bytea, [String.raw`'\x00ff10'`, String.raw`'\x'`, `decode(repeat('ab', 100), 'hex')`, String.raw`'\\'`]],
  ['b', 'bool', S.json('bool'), ['true', 'false', 'true', 'false']],
  ['d', 'date', S.date, [`'2024-02-29'`, `'0044-03-15 BC'`, `'-infinity'`, `'5874897-12-31'`]],
  ['tm', 'time', S.json('time'), [`'23:59:59.999999'`, `'00:00:00'`, `'24:00:00'`, `'12:00:00.5'`]],
  ['ttz', 'timetz', S.timetz, [`'03:04:05.123456+05:30'`, `'23:00:00-02'`, `'12:00:00.000001-15:59'`, `'00:00:00+00'`]],
  ['ts', 'timestamp', S.timestamp, [`'2024-01-02 03:04:05.123456'`, `'0044-03-15 12:00:00.5 BC'`, `'294276-12-31 23:59:59.999999'`, `'-infinity'`]],
  ['tstz', 'timestamptz', S.timestamptz, [`'2024-03-10 02:30:00.123456'`, `'2024-01-01 00:00:00.000001-08'`, `'0001-01-01 00:30:00+01 BC'`, `'infinity'`]],
  ['ts_old', 'timestamptz', S.timestamptz, [`'1900-01-01 00:00:00'`, `'4714-11-24 00:00:00+00 BC'`, `'2000-01-01 00:00:00.5+14'`, `'10000-01-01 00:00:00'`]],
  ['iv', 'interval', S.json('interval'), [`'1 year 2 mons 3 days 04:05:06.789'`, `'-1 years -2 mons +3 days -04:05:06.5'`, `'0'`, pgMajor >= 17 ? `'infinity'` : `'178000000 years'`]],
  ['u', 'uuid', S.json('uuid'), [`'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`, `'00000000-0000-0000-0000-000000000000'`, `'ffffffff-ffff-ffff-ffff-ffffffffffff'`, `gen_random_uuid()`]],
  ['j', 'json', S.text('json'), [`'{"b": 1, "a": [1, 2.50, "x"], "a": null}'`, `'null'`, `'"🎉\\u0000"'`, `'  [ ]  '`]],
  ['jb', 'jsonb', S.text('jsonb'), [`'{"z": {"deep": [null, true, 1e400, "ü"]}}'`, `'null'`, `'{}'`, `'-0.0'`]],
  ['x', 'xml', S.json('xml'), [`'<a x="1">t &amp; ü</a>'`, `''`, `'text only'`, `'<?xml version="1.0"?><r/>'`]],
  ['ip', 'inet', S.json('inet'), [`'192.168.0.1/24'`, `'::ffff:1.2.3.4'`, `'2001:db8::1/64'`, `'0.0.0.0'`]],
  ['cid', 'cidr', S.json('cidr'), [`'10.0.0.0/8'`, `'2001:db8::/32'`, `'192.168.1.0/24'`, `'::/0'`]],
  ['mac', 'macaddr', S.json('macaddr'), [`'08:00:2b:01:02:03'`, `'ff:ff:ff:ff:ff:ff'`, `'00:00:00:00:00:00'`, `'0800.2b01.0203'`]],
  ['mac8', 'macaddr8', S.json('macaddr8'), [`'08:00:2b:01:02:03:04:05'`, `'08:00:2b:01:02:03'`, `'ff:ff:ff:ff:ff:ff:ff:ff'`, `'0000000000000000'`]],
  ['bt', 'bit(4)', S.json('bit'), [`B'1010'`, `B'0000'`, `B'1111'`, `B'0001'`]],
  ['vb', 'varbit', S.json('varbit'), [`B'1'`, `B''`, `B'${'10'.repeat(40)}'`, `B'0'`]],
  ['tsv', 'tsvector', S.json('tsvector'), [`'a fat:2 cat:3A ''it''''s'''`, `''`, `to_tsvector('english', 'The quick brown foxes')`, `'ü:1'`]],
  ['tsq', 'tsquery', S.json('tsquery'), [`'fat & (rat | !cat) <-> dog'`, `''`, `'''a b'':*'`, `'ü'`]],
  ['lsn', 'pg_lsn', S.json('pg_lsn'), [`'16/B374D848'`, `'0/0'`, `'FFFFFFFF/FFFFFFFF'`, `'1/1'`]],
  ['rc', 'regclass', S.json('regclass'), [`'pg_class'`, `'all_types'`, `'pg_catalog.pg_type'`, `'1259'`]],
  ['rt', 'regtype', S.json('regtype'), [`'int4'`, `'mood'`, `'timestamp with time zone'`, `'"char"'`]],
  ['snap', 'pg_snapshot', S.json('pg_snapshot'), [`'10:20:10,14,15'`, `'1:1:'`, `'100:200:'`, `pg_current_snapshot()`]],
  ['txs', 'txid_snapshot', S.json('txid_snapshot'), [`'10:20:10,14,15'`, `'1:1:'`, `'100:200:'`, `txid_current_snapshot()`]],
  ['pt', 'point', S.json('point'), [`'(1.5,-2)'`, `'(0.1,1e300)'`, `'(NaN,Infinity)'`, `'(0,-0)'`]],
  ['ln', 'line', S.json('line'), [`'{1,-1,0}'`, `'{0,1,2.5}'`, `'[(0,0),(1,1)]'`, `'{1,0,0}'`]],
  ['ls', 'lseg', S.json('lseg'), [`'[(0,0),(1,1)]'`, `'[(-1.5,2),(3,4)]'`, `'[(0,0),(0,0)]'`, `'[(1,2),(3,4)]'`]],
  ['bx', 'box', S.json('box'), [`'(2,2),(0,0)'`, `'(0,0),(1,1)'`, `'(-1.5,2),(3,-4)'`, `'(0,0),(0,0)'`]],
  ['pa', 'path', S.json('path'), [`'[(0,0),(1,1),(2,0)]'`, `'((0,0),(1,1))'`, `'[(0.5,1e-5)]'`, `'((1,2),(3,4),(5,6))'`]],
  ['pg', 'polygon', S.json('polygon'), [`'((0,0),(1,1),(1,0))'`, `'((0,0))'`, `'((-1.5,2),(3,4),(5,-6))'`, `'((0,0),(0,1))'`]],
  ['ci', 'circle', S.json('circle'), [`'<(0,0),2.5>'`, `'<(1e10,-1),0>'`, `'<(0.1,0.2),0.3>'`, `'<(1,1),1>'`]],
  ['e', 'mood', S.json('mood'), [`'sad'`, `'happy, "very"'`, `'ünï 🎉'`, `'ok'`]],
  ['dpos', 'posint', S.int('posint'), ['1', '2147483647', '7', '42']],
  ['darr', 'intarr', S.array(S.int('int4'), 'intarr'), [`'{{1,NULL},{3,4}}'`, `'{}'`, `'{7}'`, `'[0:1]={8,9}'`]],
  ['comp', 'outer_t', S.composite('outer_t', [['x', inner], ['y', S.array(S.int('posint'))], ['z', S.text('numeric')], ['w', S.json('mood')], ['r', floatrange], ['we"ird, name', S.json('text')]]), [
    String.raw`ROW(ROW(1, E'a,"b" \\ c (x)'), '{1,NULL,3}', 12345678901234567890.5, 'happy, "very"', '[1.5,Infinity)', '')`,
    'ROW(NULL, NULL, NULL, NULL, NULL, NULL)',
    `ROW(ROW(NULL, ''), '{}', 'NaN', 'ünï 🎉', 'empty', ' ')`,
    `ROW(ROW(-1, 'NULL'), '{{1},{2}}', -0.5, 'sad', '(,)', '🎉,()')`]],
  ['comp_arr', 'inner_t[]', S.array(inner), [`ARRAY[ROW(1, 'x')::inner_t, NULL, ROW(NULL, NULL)::inner_t]`, `'{}'`, `ARRAY[ROW(2, '"}{,\\')::inner_t]`, `ARRAY[[ROW(1,'a')::inner_t],[ROW(2,'b')::inner_t]]`]],
  ['r4', 'int4range', int4range, [`'[1,10)'`, `'(,5]'`, `'empty'`, `'(,)'`]],
  ['r8', 'int8range', S.range('int8range', S.int('int8')), [`'[-9223372036854775808,9223372036854775807)'`, `'[0,)'`, `'empty'`, `'(1,2]'`]],
  ['rn', 'numrange', S.range('numrange', S.text('numeric')), [`'(1.5,2.50]'`, `'[0.000000000000000000000000000001,)'`, `'empty'`, `'[-Infinity,Infinity]'`]],
  ['rts', 'tsrange', S.range('tsrange', S.timestamp), [`'["2024-01-01 00:00:00.000001",infinity)'`, `'["0044-03-15 BC",)'`, `'empty'`, `'(,)'`]],
  ['rtz', 'tstzrange', tstzrange, [`'[2024-01-01 05:00:00.123456+03,)'`, `'(,2024-06-01 00:00:00.5-07]'`, `'empty'`, `'[-infinity,infinity]'`]],
  ['rd', 'daterange', S.range('daterange', S.date), [`'[0044-03-15 BC,2024-01-01)'`, `'[2024-01-01,infinity]'`, `'empty'`, `'(2024-01-01,2024-01-02]'`]],
  ['rf', 'floatrange', floatrange, [`'[-Infinity,NaN]'`, `'(,0)'`, `'empty'`, `'[1.5,1.5]'`]],
  ['rtxt', 'textrange', S.range('textrange', S.json('text')), [String.raw`'["a,b","x\"y")'`, `'["",)'`, `'empty'`, `'[" ",NULL)'`]],
  ['mr4', 'int4multirange', S.multirange('int4multirange', int4range), [`'{[1,3), [5,7)}'`, `'{}'`, `'{(,0), [10,)}'`, `'{[1,2]}'`]],
  ['mrtz', 'tstzmultirange', S.multirange('tstzmultirange', tstzrange), [`'{[2024-01-01,2024-02-01), [2024-03-01 00:00:00.000001,)}'`, `'{}'`, `'{(,)}'`, `'{[2024-01-01,2024-01-01]}'`]],
  ['mrf', 'floatmultirange', S.multirange('floatmultirange', floatrange), [`'{(,0), [1.5,Infinity]}'`, `'{}'`, `'{[NaN,NaN]}'`, `'{[-0,0]}'`]],
  ['h', 'hstore', S.hstore, [String.raw`E'a=>1, "b c"=>NULL, "q\\"x"=>"", ""=>"\\\\", "__proto__"=>"p", "🎉"=>"ü"'`, `''`, `'k=>NULL'`, `'"="=>">"'`]],
  ['h_arr', 'hstore[]', S.array(S.hstore), [`ARRAY['a=>1'::hstore, '', NULL]`, `'{}'`, `ARRAY['"x,y"=>"{}"'::hstore]`, `ARRAY[['a=>b'::hstore]]`]],
  ['a_i4', 'int4[]', S.array(S.int('int4')), [`'{{1,NULL},{3,4}}'`, `'{}'`, `'{{{1}},{{NULL}}}'`, `'[0:1]={7,8}'`]],
  ['a_i8', 'int8[]', S.array(S.int('int8')), [`'{9223372036854775807,-9223372036854775808,NULL}'`, `'{}'`, `'{0}'`, `'{{1,2},{3,4}}'`]],
  ['a_num', 'numeric[]', S.array(S.text('numeric')), [`'{1.50,NaN,-Infinity,123456789012345678901234567890.1}'`, `'{}'`, `'{NULL}'`, `'{{1},{2.0}}'`]],
  ['a_f8', 'float8[]', S.array(S.float('float8')), [`'{1.5,NaN,-Infinity,-0,1e-300}'`, `'{}'`, `'{NULL,0.1}'`, `'{{1.5},{2.5}}'`]],
  ['a_t', 'text[]', S.array(S.json('text')), [String.raw`ARRAY['a,b', 'x"y', 'back\slash', 'NULL', NULL, '', '{}', 'with space', '🎉', E'\t']`, `'{}'`, `'{{a,b},{NULL,""}}'`, `ARRAY['}', '{', ' ']`]],
  ['a_bc', 'char(3)[]', S.array(S.json('bpchar')), [`ARRAY['a', 'abc']::char(3)[]`, `'{}'`, `'{NULL," "}'`, `'{{x},{y}}'`]],
  ['a_b', 'bool[]', S.array(S.json('bool')), [`'{t,f,NULL}'`, `'{}'`, `'{{t},{f}}'`, `'{true}'`]],
  ['a_by', 'bytea[]', S.array(S.bytea), [String.raw`ARRAY['\x0102'::bytea, '\x'::bytea, NULL]`, `'{}'`, `ARRAY[decode(repeat('ff', 80), 'hex')]`, String.raw`ARRAY['\\'::bytea]`]],
  ['a_tz', 'timestamptz[]', S.array(S.timestamptz), [`ARRAY['2024-01-02 03:04:05.5+01'::timestamptz, 'infinity', NULL]`, `'{}'`, `ARRAY['0044-03-15 12:00:00.000001 BC'::timestamptz]`, `ARRAY[['2024-01-01'::timestamptz],['-infinity']]`]],
  ['a_d', 'date[]', S.array(S.date), [`ARRAY['0044-03-15 BC'::date, 'infinity', NULL]`, `'{}'`, `'{2024-02-29}'`, `'{{2024-01-01},{2024-01-02}}'`]],
  ['a_iv', 'interval[]', S.array(S.json('interval')), [`ARRAY['1 mon -1 day'::interval, '0', NULL]`, `'{}'`, `ARRAY['-00:00:00.5'::interval]`, `ARRAY['100000 hours'::interval]`]],
  ['a_u', 'uuid[]', S.array(S.json('uuid')), [`ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL]`, `'{}'`, `'{}'`, `'{}'`]],
  ['a_jb', 'jsonb[]', S.array(S.text('jsonb')), [`ARRAY['{"a": 1}'::jsonb, '[1, 2]', 'null', NULL]`, `'{}'`, `ARRAY['"x,y}"'::jsonb]`, `ARRAY['{}'::jsonb]`]],
  ['a_bx', 'box[]', S.array(S.json('box')), [`ARRAY['(1,1),(0,0)'::box, '(3,3),(2,2)']`, `'{}'`, `ARRAY[NULL::box]`, `ARRAY['(0.5,0.5),(0,0)'::box]`]],
  ['a_ip', 'inet[]', S.array(S.json('inet')), [`'{192.168.0.1/24,::1}'`, `'{}'`, `'{NULL}'`, `'{10.0.0.1}'`]],
  ['a_m', 'money[]', S.array(S.money), [`'{1.5,-2}'`, `'{}'`, `'{NULL}'`, `'{0}'`]],
  ['a_e', 'mood[]', S.array(S.json('mood')), [`ARRAY['sad', 'happy, "very"', NULL]::mood[]`, `'{}'`, `ARRAY['ünï 🎉']::mood[]`, `'{{ok},{sad}}'`]],
  ['a_pos', 'posint[]', S.array(S.int('posint')), [`'{1,NULL,3}'`, `'{}'`, `'{{1},{2}}'`, `'{5}'`]],
  ['a_r', 'int4range[]', S.array(int4range), [`ARRAY['[1,2)'::int4range, 'empty', NULL]`, `'{}'`, `ARRAY['(,)'::int4range]`, `'{}'`]],
  ['a_rf', 'floatrange[]', S.array(floatrange), [`ARRAY['[1.5,2.5)'::floatrange, 'empty']`, `'{}'`, `'{}'`, `'{}'`]],
];
