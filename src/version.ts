/** Kept equal to package.json's version by a test; the bundles cannot read package.json at run time. */
export const TOOL_NAME = "org-trail-audit";
export const TOOL_VERSION = "0.1.0";
export const TOOL_URI = "https://github.com/org-trail-audit/org-trail-audit";
