// What every page may show about the deployment: organisation, helpdesk, example user ID, branding, the test banner.
import "server-only";
import { getConfig } from "@/lib/config";
import { requestFromThisMachine } from "@/lib/security/request-context";

export function getPortalInfo() {
  const config = getConfig();
  return {
    orgName: config.orgName,
    orgDomain: config.orgDomain,
    helpdesk: config.helpdesk,
    branding: brandingInfo(config.branding),
  };
}

/**
 * The test-mode banner tells testers the CAPTCHA has a fixed answer, which passes only from this machine
 * (lib/captcha/builtin.ts): anyone else meets an ordinary portal, so only this machine sees the banner.
 */
export async function testBannerShown(): Promise<boolean> {
  return Boolean(getConfig().captchaTestAnswer) && (await requestFromThisMachine());
}

/** LOGO_HEIGHT px high in the header; the width keeps the logo's proportions. */
const LOGO_HEIGHT = 32;

/** What the layout links: the logo with its size, the colour sheet, each with a version that changes with the setting. */
function brandingInfo(branding: ReturnType<typeof getConfig>["branding"]) {
  const logo = branding.logo;
  const version = (s: string) => s.replace(/\W/g, "").slice(0, 12);
  return {
    logo: logo
      ? {
          src: `/api/branding/logo?v=${version(logo.etag)}`,
          height: LOGO_HEIGHT,
          width: Math.max(1, Math.round((LOGO_HEIGHT * logo.width) / Math.max(1, logo.height))),
        }
      : null,
    color: branding.color,
    colorSheet: branding.color ? `/api/branding/theme.css?v=${version(branding.color.accent)}` : null,
  };
}
