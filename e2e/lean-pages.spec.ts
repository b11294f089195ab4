// What keeps the pages lean (issue #13; sizes in docs/benchmarks.md): no page carries a next-intl provider or catalogue
// keys for the layout or the identify form, nor a head tag for the icon or a default toolbar colour; the icon is still
// there, at /favicon.ico, where browsers look by themselves.
import { expect, test } from "./fixtures/portal";

/** The payload React hydrates the page from (the self.__next_f chunks), unescaped. */
function payloadOf(html: string): string {
  const chunks = [...html.matchAll(/self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)/g)].map((m) => JSON.parse(m[1]!) as string);
  expect(chunks.length).toBeGreaterThan(0);
  return chunks.join("");
}

for (const path of ["", "/help", "/recover"]) {
  test(`/{locale}${path} sends no next-intl provider outside its forms, and no icon or theme-colour tag`, async ({ request, portal }) => {
    const response = await request.get(`/${portal.language}${path}`);
    expect(response.status()).toBe(200);
    const html = await response.text();
    const payload = payloadOf(html);
    // The layout's language switch gets its three texts as props.
    expect(payload).toContain(`"switchLanguageLabel":"${portal.language === "nl" ? "Switch to English" : "Schakel over naar Nederlands"}"`);
    // A provider's props name "messages" (and next-intl's "timeZone"); the sign-in page's form still has one.
    if (path !== "") {
      expect(payload).not.toContain('"messages":');
      expect(payload).not.toContain('"timeZone":');
    }
    expect(html).not.toMatch(/<link[^>]+rel="(?:shortcut )?icon"/);
    expect(html).not.toContain('name="theme-color"');
  });
}

test("the identify form gets its texts filled in: the hint names the organisation's domain, no placeholder", async ({
  request,
  portal,
}) => {
  const payload = payloadOf(await (await request.get(`/${portal.language}/recover`)).text());
  expect(payload).toMatch(/"userIdHint":"[^"]*@[a-z0-9.-]+\.[a-z]+[^"]*"/);
  expect(payload).not.toContain("{domain}");
});

test("the icon is served at /favicon.ico, as an icon", async ({ request }) => {
  const response = await request.get("/favicon.ico");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("image/x-icon");
  const body = await response.body();
  // ICONDIR: reserved 0, type 1 (icon), then the number of images; each is a PNG here.
  expect([body.readUInt16LE(0), body.readUInt16LE(2)]).toEqual([0, 1]);
  expect(body.readUInt16LE(4)).toBeGreaterThan(0);
  expect(body.includes(Buffer.from("\x89PNG", "latin1"))).toBe(true);
});
