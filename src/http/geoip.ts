import { type CityResponse, open, type Reader } from "maxmind";

/** Where an address is, roughly, as the phone's card shows it. */
export interface Place {
  /** "Lyon, France", or just the country. */
  label: string;
  /** ISO 3166 code, to compare the desktop's country with the phone's. */
  countryCode: string | null;
}

/** Finds a place for an address; `null` when unknown. */
export type LocateIp = (ip: string | null) => Promise<Place | null>;

/** No GeoIP database configured: every place is unknown. */
export const locateNowhere: LocateIp = async () => null;

/**
 * Looks addresses up in a MaxMind-format (GeoLite2/GeoIP2 City or Country) database file the
 * operator supplies; none is bundled. The file is opened on first use and kept open.
 */
export function geoIpFromFile(database: string): LocateIp {
  let reader: Promise<Reader<CityResponse>> | undefined;
  return async (ip) => {
    if (!ip) return null;
    reader ??= open<CityResponse>(database);
    let found: CityResponse | null;
    try {
      found = (await reader).get(ip.replace(/^::ffff:/, ""));
    } catch {
      return null; // not an address the database understands
    }
    const country = found?.country?.names?.en ?? found?.registered_country?.names?.en;
    if (!country) return null;
    const city = found?.city?.names?.en;
    return { label: city ? `${city}, ${country}` : country, countryCode: found?.country?.iso_code ?? null };
  };
}
