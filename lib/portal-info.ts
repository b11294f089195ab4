// What every page may show about the deployment: organisation, helpdesk, example user ID, test mode.
import "server-only";
import { getConfig } from "@/lib/config";

export function getPortalInfo() {
  const config = getConfig();
  return {
    orgName: config.orgName,
    orgDomain: config.orgDomain,
    helpdesk: config.helpdesk,
    testMode: Boolean(config.captchaTestAnswer),
  };
}
