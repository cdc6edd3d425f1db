/**
 * Writes a tiny MaxMind DB (format 2.0, IPv4, 24-bit records) mapping /24 networks to a city and
 * country, so the GeoIP reader is tested on a real database file without shipping one.
 */

type Value = string | number | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  // Types above 7 are "extended": type 0 in the control byte, then type − 7 in the next.
  const head = type <= 7 ? type << 5 : 0;
  if (size >= 29) throw new Error("values this long are not needed here");
  return type <= 7 ? Buffer.from([head | size]) : Buffer.from([size, type - 7]);
}

function encode(value: Value, unsignedType = 6): Buffer {
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === "number") {
    const bytes: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    return Buffer.concat([control(unsignedType, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map((v) => encode(v))]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** Builds the file's bytes for `networks`: "a.b.c" (a /24) → { city, country, iso }. */
export function buildMmdb(networks: Record<string, { city: string; country: string; iso: string }>): Buffer {
  const records: { bits: number[]; data: Buffer }[] = Object.entries(networks).map(([prefix, place]) => ({
    bits: prefix.split(".").flatMap((octet) => Array.from({ length: 8 }, (_, i) => (Number(octet) >> (7 - i)) & 1)),
    data: encode({
      city: { names: { en: place.city } },
      country: { iso_code: place.iso, names: { en: place.country } },
    }),
  }));
  // The search tree: node 0 is the root; each node holds a left and a right record.
  const nodes: [number | string, number | string][] = [["empty", "empty"]];
  for (const [index, { bits }] of records.entries()) {
    let node = 0;
    for (let depth = 0; depth < bits.length; depth++) {
      const side = bits[depth] as 0 | 1;
      const last = depth === bits.length - 1;
      const current = (nodes[node] as [number | string, number | string])[side];
      if (last) (nodes[node] as [number | string, number | string])[side] = `data:${index}`;
      else if (typeof current === "number") node = current;
      else {
        nodes.push(["empty", "empty"]);
        (nodes[node] as [number | string, number | string])[side] = nodes.length - 1;
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const offsets: number[] = [];
  let offset = 0;
  for (const { data } of records) {
    offsets.push(offset);
    offset += data.length;
  }
  const resolve = (record: number | string): number => {
    if (typeof record === "number") return record;
    if (record === "empty") return nodeCount;
    return nodeCount + 16 + (offsets[Number(record.slice(5))] as number);
  };
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(resolve(left), i * 6, 3);
    tree.writeUIntBE(resolve(right), i * 6 + 3, 3);
  });
  const metadata = Buffer.concat([
    control(7, 9),
    encode("node_count"),
    encode(nodeCount),
    encode("record_size"),
    encode(24, 5),
    encode("ip_version"),
    encode(4, 5),
    encode("database_type"),
    encode("qrlogin-test-City"),
    encode("languages"),
    encode(["en"]),
    encode("binary_format_major_version"),
    encode(2, 5),
    encode("binary_format_minor_version"),
    Buffer.from([0xa0]), // uint16 zero: size 0
    encode("build_epoch"),
    encode(1_700_000_000, 9),
    encode("description"),
    encode({ en: "test" }),
  ]);
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...records.map((r) => r.data),
    Buffer.from("abcdef4d61784d696e642e636f6d", "hex"),
    metadata,
  ]);
}
