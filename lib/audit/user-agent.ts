// A user agent in a few words for the audit table ("Chrome 142 · Windows"); the full text stays available beside it.

const browsers: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\bOPR\/(\d+)/, "Opera"],
  [/\bSamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/\bFirefox\/(\d+)/, "Firefox"],
  [/\bFxiOS\/(\d+)/, "Firefox"],
  [/\bCriOS\/(\d+)/, "Chrome"],
  [/\bHeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/\bChrom(?:e|ium)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, "Safari"],
];

const systems: [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bWindows\b/, "Windows"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

/** "Mozilla/5.0 (Windows NT 10.0; …) … Chrome/142.0.0.0 Safari/537.36" → "Chrome 142 · Windows"; tools keep their name. */
export function shortUserAgent(ua: string, max = 32): string {
  const browser = browsers.map(([re, name]) => [re.exec(ua), name] as const).find(([m]) => m);
  const system = systems.find(([re]) => re.test(ua))?.[1];
  if (browser) return [`${browser[1]} ${browser[0]![1]}`, system].filter(Boolean).join(" · ");
  // A tool (curl/8.5.0, vitest/recovery, node): its first word.
  const first = ua.trim().split(/\s+/)[0] ?? "";
  return first.length > max ? `${first.slice(0, max)}…` : first;
}
