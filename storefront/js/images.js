/**
 * Product pictures drawn in the browser: one SVG per category and style, deterministic
 * (the same category/style always gets the same picture), no network request.
 */

const CATEGORY_ART = {
  apparel: {
    hue: 348,
    glyph: '<path d="M62 52 88 40q12 12 24 0l26 12 22 26-18 14-8-8v74H66V84l-8 8-18-14z"/>',
  },
  footwear: {
    hue: 24,
    glyph:
      '<path d="M40 132 44 78q16-2 26 10l26 22q24 8 54 10 18 4 16 22H40z"/><rect x="36" y="140" width="132" height="12" rx="4" opacity=".75"/>',
  },
  housewares: {
    hue: 168,
    glyph:
      '<path d="M58 68h74v72q0 18-18 18H76q-18 0-18-18z"/><path d="M132 86q28 0 28 22t-28 22" fill="none" stroke-width="12" stroke="currentColor"/>',
  },
  outdoors: {
    hue: 120,
    glyph: '<path d="M28 152 100 48l72 104z"/><path d="M100 152V92l22 60z" opacity=".55" fill="#fff"/>',
  },
  electronics: {
    hue: 210,
    glyph:
      '<path d="M56 56h88q8 0 8 8v62H48V64q0-8 8-8z"/><rect x="58" y="66" width="84" height="50" rx="3" opacity=".45" fill="#fff"/><path d="M32 130h136l-12 16H44z"/>',
  },
  beauty: {
    hue: 300,
    glyph:
      '<rect x="84" y="36" width="32" height="26" rx="4" opacity=".8"/><path d="M74 66h52q12 0 12 12v70q0 12-12 12H74q-12 0-12-12V78q0-12 12-12z"/>',
  },
  jewelry: {
    hue: 48,
    glyph:
      '<path d="M68 62h64l26 30-58 64-58-64z"/><path d="M42 92h116M84 62l-14 30 30 64 30-64-14-30" fill="none" stroke="#fff" stroke-opacity=".5" stroke-width="3"/>',
  },
  accessories: {
    hue: 262,
    glyph:
      '<path d="M76 86q0-42 24-42t24 42" fill="none" stroke="currentColor" stroke-width="10"/><path d="M48 84h104l12 72H36z"/>',
  },
};

const FALLBACK_ART = { hue: 190, glyph: '<rect x="50" y="50" width="100" height="100" rx="18"/>' };

/** FNV-1a: a small, stable string hash, so a style always draws the same way. */
function hash(text) {
  let value = 0x811c9dc5;
  for (const char of text) {
    value ^= char.codePointAt(0);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

const PATTERNS = [
  (ink) => `<pattern id="p" width="20" height="20" patternUnits="userSpaceOnUse"><circle cx="10" cy="10" r="2.4" fill="${ink}"/></pattern>`,
  (ink) => `<pattern id="p" width="16" height="16" patternUnits="userSpaceOnUse" patternTransform="rotate(35)"><rect width="6" height="16" fill="${ink}"/></pattern>`,
  (ink) => `<pattern id="p" width="24" height="24" patternUnits="userSpaceOnUse"><path d="M0 12h24M12 0v24" stroke="${ink}" stroke-width="1.5"/></pattern>`,
  (ink) => `<pattern id="p" width="40" height="20" patternUnits="userSpaceOnUse"><path d="M0 15q10-10 20 0t20 0" fill="none" stroke="${ink}" stroke-width="2"/></pattern>`,
  (ink) => `<pattern id="p" width="28" height="28" patternUnits="userSpaceOnUse"><circle cx="14" cy="14" r="9" fill="none" stroke="${ink}" stroke-width="1.5"/></pattern>`,
];

/** A small mark on the product, one per style, so styles of a category look apart. */
const EMBLEMS = [
  (ink) => `<circle cx="100" cy="108" r="11" fill="${ink}"/>`,
  (ink) => `<path d="M100 94l4.5 9.5 10.5 1.2-7.8 7.2 2.1 10.3-9.3-5.2-9.3 5.2 2.1-10.3-7.8-7.2 10.5-1.2z" fill="${ink}"/>`,
  (ink) => `<path d="M72 104h56M72 114h56" stroke="${ink}" stroke-width="5" stroke-linecap="round"/>`,
  (ink) => `<path d="M100 94l13 14-13 14-13-14z" fill="${ink}"/>`,
  (ink) => `<rect x="88" y="100" width="24" height="18" rx="4" fill="none" stroke="${ink}" stroke-width="4"/>`,
  () => "",
];

const cache = new Map();

export function productImageSvg(category, style) {
  const key = `${category}/${style}`;
  if (cache.has(key)) return cache.get(key);
  const art = CATEGORY_ART[category] ?? FALLBACK_ART;
  const seed = hash(key);
  const hue = (art.hue + ((seed % 7) - 3) * 9 + 360) % 360;
  const background = `hsl(${hue} 70% ${90 - (seed >>> 3) % 6}%)`;
  const glow = `hsl(${(hue + 30) % 360} 85% 80%)`;
  const ink = `hsl(${hue} 45% 30% / .12)`;
  const body = `hsl(${hue} ${55 + ((seed >>> 5) % 25)}% ${38 + ((seed >>> 9) % 14)}%)`;
  const accent = `hsl(${(hue + 150 + ((seed >>> 11) % 60)) % 360} 80% 60%)`;
  const pattern = PATTERNS[(seed >>> 13) % PATTERNS.length](ink);
  const tilt = ((seed >>> 16) % 13) - 6;
  const accentX = 30 + ((seed >>> 19) % 140);
  const accentR = 10 + ((seed >>> 23) % 14);
  const scale = (0.86 + ((seed >>> 27) % 5) * 0.035).toFixed(3);
  const emblem = EMBLEMS[(seed >>> 7) % EMBLEMS.length]("rgb(255 255 255 / .75)");
  const svg = [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200">',
    `<defs>${pattern}<radialGradient id="g" cx=".5" cy=".45" r=".6"><stop offset="0" stop-color="${glow}"/><stop offset="1" stop-color="${background}"/></radialGradient></defs>`,
    '<rect width="200" height="200" fill="url(#g)"/><rect width="200" height="200" fill="url(#p)"/>',
    `<circle cx="${accentX}" cy="${accentX % 2 ? 34 : 168}" r="${accentR}" fill="${accent}" opacity=".7"/>`,
    `<ellipse cx="100" cy="170" rx="70" ry="8" fill="hsl(${hue} 40% 25% / .15)"/>`,
    `<g transform="rotate(${tilt} 100 100) translate(100 100) scale(${scale}) translate(-100 -100)">`,
    `<g fill="${body}" color="${body}">${art.glyph}</g>${emblem}</g>`,
    "</svg>",
  ].join("");
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  cache.set(key, url);
  return url;
}

export function productImage(item, { className = "product-image" } = {}) {
  const [category, style] = (item.image ?? `${item.category}/${item.style}`).split("/");
  const image = document.createElement("img");
  image.className = className;
  image.src = productImageSvg(category, style);
  image.alt = `${item.name}: ${item.style} from ${item.category}`;
  image.width = 200;
  image.height = 200;
  image.decoding = "async";
  return image;
}
