/* Bawaba post: service worker of the postman's round (served as /post/round/sw.js with self.POSTAL_SW set by
 * the view: version, assets, page, login).
 *
 * - The assets (CSS, script) are cached at install, cache-first, versioned by a hash of the files.
 * - The round page is network-first; the last copy seen online is kept, so it opens again without network.
 * - POST requests (the records) are never touched: round.js keeps, sends and retries them.
 * - When the page answers with the sign-in page, the cached page is dropped (another postman may sign in).
 */
/* global self, caches */
"use strict";

var CONFIG = self.POSTAL_SW;
var SHELL = "bawaba-postal-shell-" + CONFIG.version;
var PAGES = "bawaba-postal-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(CONFIG.assets); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("bawaba-postal-shell-") === 0 && key !== SHELL;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "clear-pages") event.waitUntil(caches.delete(PAGES));
});

function isLogin(response) {
  try { return response.redirected && new URL(response.url).pathname.indexOf(CONFIG.login) === 0; } catch (e) { return false; }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.assets.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode === "navigate" && url.pathname === CONFIG.page) {
    event.respondWith(fetch(request).then(function (response) {
      if (isLogin(response)) return caches.delete(PAGES).then(function () { return response; });
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { return cache.put(CONFIG.page, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(PAGES).then(function (cache) { return cache.match(CONFIG.page); }).then(function (hit) {
        return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
  }
});
