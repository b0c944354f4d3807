import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file that needs AWS starts its own moto server; two cores run two files at once.
    pool: "forks",
  },
});
