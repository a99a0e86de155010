// The auth-v2 signature of docs/api.md ("Signing"), in the browser with WebCrypto, so that
// Swagger UI's "Try it out" sends signed requests. The key pasted into the page stays in
// this page's memory: it is never stored and never sent (only the signature is).
"use strict";

const isalesKey = { accessKey: "", secretKey: "" };
const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(bytes) {
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmacHex(key, message) {
  const cryptoKey = await crypto.subtle.importKey(
    "raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

// RFC 3986: keep A-Z a-z 0-9 - _ . ~, percent-encode every other UTF-8 byte
function encodeRfc3986(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) =>
    "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function canonicalUri(pathname) {
  return pathname.split("/").map((s) => encodeRfc3986(decodeURIComponent(s))).join("/");
}

function canonicalQuery(searchParams) {
  const pairs = [];
  for (const [name, value] of searchParams) pairs.push([encodeRfc3986(name), encodeRfc3986(value)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

function bodyBytes(body) {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === "string") return encoder.encode(body);
  return encoder.encode(JSON.stringify(body));
}

async function isalesSign(request, now = new Date()) {
  if (!isalesKey.accessKey || !isalesKey.secretKey) return request;
  const url = new URL(request.url, window.location.href);
  if (!url.pathname.startsWith("/rest/isales/")) return request;
  const contentType = "application/json; charset=UTF-8";
  const body = bodyBytes(request.body);
  if (typeof request.body !== "string" && request.body !== undefined && request.body !== null) {
    request.body = new TextDecoder().decode(body);
  }
  const timestamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const prefix = `auth-v2/${isalesKey.accessKey}/${timestamp}/content-type;host`;
  const canonical = [
    request.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    `content-type:${contentType}\nhost:${url.host}`,
    await sha256Hex(body),
  ].join("\n");
  const signature = await hmacHex(await hmacHex(isalesKey.secretKey, prefix), canonical);
  request.headers["Content-Type"] = contentType;
  request.headers["Authorization"] = `${prefix}/${signature}`;
  return request;
}

window.addEventListener("load", () => {
  const form = document.getElementById("isales-key");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    isalesKey.accessKey = form.elements.accessKey.value.trim();
    isalesKey.secretKey = form.elements.secretKey.value;
    form.elements.secretKey.value = "";
    document.getElementById("isales-key-state").textContent = isalesKey.accessKey
      ? `signing as ${isalesKey.accessKey}` : "not signing";
  });
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: isalesSign,
  });
});
