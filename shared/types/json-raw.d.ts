// JSON.rawJSON (TC39 "JSON.parse source text access", in V8 since Node 21)
// lets int8 and LSNs be written as exact JSON numbers; TypeScript 5.9 has no lib entry yet.
interface JSON {
  rawJSON(text: string): unknown;
  isRawJSON(value: unknown): boolean;
}
