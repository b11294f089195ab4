// The organisation's colour (ORG_COLOR, checked for AA contrast at start) as a stylesheet the layout links after its
// own: a style file from the portal's origin, so the Content-Security-Policy needs no inline styles.
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export function GET(): Response {
  const color = getConfig().branding.color;
  // html:root outweighs globals.css's :root whichever stylesheet comes first.
  const css = color ? `html:root {\n  --accent: ${color.accent};\n  --accent-dark: ${color.accentDark};\n}\n` : "";
  return new Response(css, {
    headers: { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" },
  });
}
