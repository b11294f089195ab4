// Misbehaving directory servers for the failure tests: one that accepts connections and never answers (a hung or
// firewalled server), and one that speaks just enough LDAP to refuse StartTLS, recording every byte it receives.
import net from "node:net";
import { freePortsInRange, listenInRange } from "./processes";

export type FakeServer = { url: string; received(): Buffer; close(): Promise<void> };

async function listen(
  handler: (socket: net.Socket, record: (data: Buffer) => void) => void,
  scheme: "ldap" | "ldaps",
): Promise<FakeServer> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    handler(socket, (data) => chunks.push(data));
  });
  const port = await listenInRange(server, "127.0.0.1");
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    received: () => Buffer.concat(chunks),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts TCP connections and never says a word (TLS handshakes and LDAP requests hang). */
export function blackHole(scheme: "ldap" | "ldaps" = "ldaps"): Promise<FakeServer> {
  return listen((socket, record) => socket.on("data", record), scheme);
}

/**
 * Answers every request with an ExtendedResponse "protocolError" (what a server without StartTLS says to the StartTLS
 * request) and records what it was sent.
 */
export function withoutStartTls(): Promise<FakeServer> {
  return listen((socket, record) => {
    socket.on("data", (data) => {
      record(data);
      // LDAPMessage { messageID (the request's, a small integer at byte 4), extendedResp [APPLICATION 24] { resultCode 2, "", "" } }
      const messageId = data[4] ?? 1;
      socket.write(Buffer.from([0x30, 0x0c, 0x02, 0x01, messageId, 0x78, 0x07, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00]));
    });
  }, "ldap");
}

/** A port of the range on 127.0.0.1 where nothing listens (connections are refused at once). */
export async function closedPortUrl(scheme: "ldap" | "ldaps" = "ldaps"): Promise<string> {
  const [port] = await freePortsInRange("127.0.0.1", 1);
  return `${scheme}://127.0.0.1:${port}`;
}

/** A TCP relay in front of a real server that counts the connections made through it. */
export async function countingRelay(target: string): Promise<FakeServer & { connections(): number }> {
  const { hostname, port, protocol } = new URL(target);
  let connections = 0;
  const relay = await listen(
    (socket) => {
      connections++;
      const upstream = net.connect({ host: hostname, port: Number(port) });
      upstream.on("error", () => socket.destroy());
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    },
    protocol === "ldaps:" ? "ldaps" : "ldap",
  );
  return { ...relay, connections: () => connections };
}
