import { createServer as createTcpServer, type Server } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanOrganization } from "../src/aws/scan.js";
import { networkFailure } from "../src/error-description.js";
import { parseSettings } from "../src/settings.js";
import { awsEnvironment, freePort, motoAvailability, startMoto, type MotoServer } from "./support/moto-server.js";
import { runCliSource } from "./support/run-cli.js";
import { OWN_TRAILS_SCENARIO, seedOrganization } from "./support/seed-org.js";

const moto = motoAvailability();

/** The CLI (in-process) against an endpoint; its one stderr line. */
async function scanAgainst(endpoint: string): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), "ota-cause-"));
  const run = await runCliSource(["scan", "--regions", "us-east-1"], { ...awsEnvironment(endpoint) }, dir);
  return {
    code: run.code,
    stderr: run.stderr
      .replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/, "")
      .trim(),
  };
}

describe("failures named by their cause", () => {
  it("nothing listening at the endpoint: says so and names it, not the credentials", async () => {
    const port = await freePort();
    const run = await scanAgainst(`http://127.0.0.1:${port}`);
    // 4: AWS could not be reached; not 2, which says the input or the credentials were wrong.
    expect(run.code).toBe(4);
    expect(run.stderr.split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(
      `AWS STS could not reach http://127.0.0.1:${port}: nothing is listening there (connection refused) (ECONNREFUSED)`,
    );
    expect(run.stderr).toContain("AWS_ENDPOINT_URL");
    expect(run.stderr).not.toContain("credentials could not be used");
  });

  describe("TLS refused", () => {
    let plain: Server;
    let port: number;
    beforeAll(async () => {
      // A server that answers in plain text where TLS is expected: the handshake fails.
      plain = createTcpServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n", () => socket.destroy()));
      await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
      port = (plain.address() as { port: number }).port;
    });
    afterAll(() => {
      plain.close();
    });

    it("says the TLS connection failed and names the endpoint", async () => {
      const run = await scanAgainst(`https://127.0.0.1:${port}`);
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(
        new RegExp(
          `AWS STS could not reach https://127\\.0\\.0\\.1:${port}: the TLS connection was refused \\(certificate or protocol\\) \\((EPROTO|ERR_SSL_\\w+)\\)`,
        ),
      );
    });
  });

  it("tells a timeout without an answer from an AWS error that arrived", () => {
    const timeout = Object.assign(new Error("Request timed out"), {
      name: "TimeoutError",
      $orgTrailAuditEndpoint: "https://cloudtrail.eu-west-1.amazonaws.com",
    });
    expect(networkFailure(timeout)).toEqual({
      code: "TimeoutError",
      endpoint: "https://cloudtrail.eu-west-1.amazonaws.com",
      meaning: "no answer within the per-call time limit",
    });
    const answered = Object.assign(new Error("AccessDenied"), {
      name: "AccessDeniedException",
      $response: { statusCode: 400 },
    });
    expect(networkFailure(answered)).toBeUndefined();
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND sts.example.invalid"), {
      code: "ENOTFOUND",
      hostname: "sts.example.invalid",
    });
    expect(networkFailure(dns)).toMatchObject({
      code: "ENOTFOUND",
      endpoint: "sts.example.invalid",
      meaning: "the host name does not resolve (DNS)",
    });
  });
});

describe.skipIf(!moto.available)("Organizations errors against moto", () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
    await seedOrganization(server.endpoint, OWN_TRAILS_SCENARIO);
    Object.assign(process.env, awsEnvironment(server.endpoint));
  });
  afterAll(async () => server?.stop());

  it("an OU id the organization does not hold: names the id and the input, not the caller's rights", async () => {
    const settings = parseSettings({ "organizational-units": "ou-ab12-abcdefgh" });
    const scan = scanOrganization(settings);
    await expect(scan).rejects.toThrow(
      /^Input "organizational-units" names ou-ab12-abcdefgh, which this organization does not hold\. Give OU ids/,
    );
    await expect(scan).rejects.not.toThrow(/management account/);
  });
});
