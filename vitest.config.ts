import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One moto server per worker, shared by the files that worker runs one after another.
    globalSetup: ["test/support/global-moto.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Three files at once, even on two
    // cores: much of the suite waits (GitHub's write pacing, stalled calls running out their
    // limits), and vitest's default on two cores is a single worker, which ran every wait
    // end to end.
    pool: "forks",
    maxWorkers: 3,
    // The SDK warns on Node 20 that future releases need 22; the action runs on node24.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
