// A citizen's journey through the client generated from openapi.yaml
// (`npm run generate`: src/api.d.ts). It compiles only if the description types
// what it uses; it passes only if the running API answers as described.
//
//   BALADIYA_API=http://127.0.0.1:PORT AWS_ENDPOINT_URL=http://127.0.0.1:PORT2 \
//     JOURNEY_PHONE=+2162... npm run journey
import createClient from "openapi-fetch";
import type { paths } from "./api.js";

const api = process.env.BALADIYA_API;
const emulator = process.env.AWS_ENDPOINT_URL;
const phone = process.env.JOURNEY_PHONE;
if (!api || !emulator || !phone) {
  throw new Error("BALADIYA_API, AWS_ENDPOINT_URL and JOURNEY_PHONE are needed");
}

function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Error(`journey: ${what}`);
}

/** The sign-in code the emulator's SNS last sent to `to`. */
async function codeSentTo(to: string): Promise<string> {
  const data = (await (await fetch(`${emulator}/moto-api/data.json`)).json()) as {
    sns: { SMS: { phone_number: string; message: string }[] };
  };
  const sms = data.sns.SMS.filter((m) => m.phone_number === to);
  const code = sms.at(-1)?.message.match(/\d{6}/)?.[0];
  check(code, `no sign-in code was sent to the journey's number`);
  return code;
}

const client = createClient<paths>({ baseUrl: api, headers: { "Accept-Language": "fr" } });

// 1. Municipalities, public: a page of them, and Tunis.
const list = await client.GET("/v1/municipalities", { params: { query: { limit: 10 } } });
check(list.response.status === 200 && list.data, `listing municipalities: ${list.response.status}`);
check(list.data.items.length > 0, "municipalities are listed");
const got = await client.GET("/v1/municipalities/{m}", { params: { path: { m: "tunis" } } });
check(got.data?.id === "tunis", `reading Tunis: ${got.response.status}`);
check(typeof got.data.name.fr === "string", "a municipality has a French name");

// 2. Sign in by SMS code, in French.
const asked = await client.POST("/v1/auth/otp", { body: { phone, lang: "fr" } });
check(asked.response.status === 202 || asked.response.status === 204 || asked.response.ok,
  `asking for a code: ${asked.response.status}`);
const code = await codeSentTo(phone);
const signed = await client.POST("/v1/auth/token", { body: { phone, code } });
check(signed.data, `signing in: ${signed.response.status}`);
const token: string = signed.data.access_token;
check(signed.data.new_account === true, "the first sign-in creates the account");
const auth = { headers: { Authorization: `Bearer ${token}` } };

const me = await client.GET("/v1/me", auth);
check(me.data, `reading the profile: ${me.response.status}`);
check(me.data.lang === "fr", "the account speaks the language asked at sign-in");

// 3. File a complaint, read it back, find it among mine.
const filed = await client.POST("/v1/municipalities/{m}/complaints", {
  params: { path: { m: "tunis" } },
  headers: { ...auth.headers, "Idempotency-Key": `journey-${Date.now()}` },
  body: {
    category: "lighting",
    description: "Le lampadaire devant le numéro 12 est éteint depuis une semaine.",
    location: { lat: 36.8, lon: 10.18 },
    public: false,
  },
});
check(filed.response.status === 201 && filed.data, `filing a complaint: ${filed.response.status}`);
const id: string = filed.data.id;
const read = await client.GET("/v1/municipalities/{m}/complaints/{id}", {
  params: { path: { m: "tunis", id } },
  ...auth,
});
check(read.data?.id === id, `reading the complaint back: ${read.response.status}`);
const mine = await client.GET("/v1/municipalities/{m}/complaints/mine", {
  params: { path: { m: "tunis" } },
  ...auth,
});
check(mine.data?.items.some((c) => c.id === id), "the complaint is among mine");

// 4. Nothing unread yet; the count says so.
const notes = await client.GET("/v1/me/notifications", auth);
check(notes.data && typeof notes.data.unread === "number", `notifications: ${notes.response.status}`);

console.log(`journey: ok (complaint ${id}, ${notes.data.unread} unread)`);
