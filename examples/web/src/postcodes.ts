// Postcode districts of the North Wales coast and their approximate centres, so a reader can type "LL32"
// or "LL30 2SB" instead of coordinates. The API filters by point and radius; it does no geocoding itself.
const districts: Readonly<Record<string, readonly [number, number]>> = {
  LL22: [53.2847, -3.5810],
  LL28: [53.3000, -3.7470],
  LL29: [53.2940, -3.7270],
  LL30: [53.3240, -3.8270],
  LL31: [53.2840, -3.8090],
  LL32: [53.2800, -3.8280],
  LL33: [53.2560, -3.9740],
  LL34: [53.2700, -3.9130],
  LL24: [53.0920, -3.8010],
  LL55: [53.1400, -4.2730],
  LL57: [53.2270, -4.1290],
  LL59: [53.2240, -4.1640],
  LL65: [53.3090, -4.6330],
  LL77: [53.2550, -4.3110],
};

export interface Point {
  readonly latitude: number;
  readonly longitude: number;
}

/** "53.28,-3.83", a postcode district ("LL32") or a full postcode ("LL32 8LT"); null when it is neither. */
export function parseLocation(input: string): Point | null {
  const text = input.trim().toUpperCase();
  const coordinates = /^(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)$/.exec(text);
  if (coordinates) {
    const latitude = Number(coordinates[1]);
    const longitude = Number(coordinates[2]);
    return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : null;
  }
  const district = /^([A-Z]{1,2}\d[A-Z\d]?)(?:\s*\d[A-Z]{2})?$/.exec(text)?.[1];
  const centre = district ? districts[district] : undefined;
  return centre ? { latitude: centre[0], longitude: centre[1] } : null;
}

export function knownDistricts(): string[] {
  return Object.keys(districts);
}
