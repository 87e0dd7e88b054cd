/* Bawaba fibre: service worker of the contractor pages (served as /fibre/sw.js with self.FIBRE_SW set
 * by the view: version, assets, offline, scope, login).
 *
 * - The page shell (CSS, scripts) is cached at install, cache-first, versioned by a hash of the files.
 * - Work order pages and the field report form are network-first; the last copy seen online is kept,
 *   so a page opened once opens again without network. Other pages fall back to /fibre/offline/.
 * - POST requests (the reports themselves) are never touched: outbox.js sends and retries them.
 * - When a page answers with the sign-in page, the cached pages are dropped (another user may sign in).
 */
/* global self, caches */
"use strict";

var CONFIG = self.FIBRE_SW;
var SHELL = "bawaba-fibre-shell-" + CONFIG.version;
var PAGES = "bawaba-fibre-pages";
var scope = CONFIG.scope.replace(/\/$/, "");
var CACHED_PAGES = [
  new RegExp("^" + scope + "/orders/$"),
  new RegExp("^" + scope + "/orders/\\d+/$"),
  new RegExp("^" + scope + "/orders/\\d+/report/$"),
  new RegExp("^" + scope + "/rejections/$"),
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(CONFIG.assets.concat([CONFIG.offline])); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("bawaba-fibre-shell-") === 0 && key !== SHELL;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "clear-pages") event.waitUntil(caches.delete(PAGES));
});

function isLogin(response) {
  try {
    return response.redirected && new URL(response.url).pathname.indexOf(CONFIG.login) === 0;
  } catch (e) {
    return false;
  }
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (isLogin(response)) {
      return caches.delete(PAGES).then(function () { return response; });
    }
    if (response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request, { ignoreSearch: false }).then(function (hit) {
        return hit || cache.match(request, { ignoreSearch: true });
      });
    }).then(function (hit) {
      return hit || caches.match(CONFIG.offline);
    }).then(function (hit) {
      return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.assets.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || fetch(request);
    }));
    return;
  }
  if (request.mode === "navigate") {
    if (CACHED_PAGES.some(function (pattern) { return pattern.test(url.pathname); })) {
      event.respondWith(networkFirst(request));
    } else if (url.pathname.indexOf(scope + "/") === 0) {
      event.respondWith(fetch(request).catch(function () { return caches.match(CONFIG.offline); }));
    }
  }
});
