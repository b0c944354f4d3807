import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file that needs AWS starts its own moto server; two cores run two files at once.
    pool: "forks",
    // The SDK warns on Node 20 that future releases need 22; the action runs on node24.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
