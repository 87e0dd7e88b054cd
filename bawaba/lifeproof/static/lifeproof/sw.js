/* Service worker of the pensioner's pages (scope /v/): keeps the page's own files so that it opens as an
   installed app on a weak network. Captures and answers always go to the network (never cached). */
var CACHE = "lifeproof-v1";
var FILES = ["/static/lifeproof/lifeproof.css", "/static/lifeproof/capture.js", "/static/css/bawaba.css",
             "/static/lifeproof/icon-192.png", "/static/lifeproof/manifest.webmanifest"];
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }).catch(function () {}));
  self.skipWaiting();
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin === self.location.origin && FILES.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      return response;
    }).catch(function () { return caches.match(request); }));
  }
});
