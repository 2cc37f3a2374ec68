/* sw.js — makes the page cross-origin isolated when the static server sends
 * no such headers: this service worker adds them (Cross-Origin-Opener-Policy
 * and Cross-Origin-Embedder-Policy) to the page's own responses, which lets
 * the page share a SharedArrayBuffer with its worker: Ctrl-C sets a flag in
 * it that the running statement reads.  Everything it serves comes from the
 * same server; it caches nothing. */
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  /* the page and its worker need the headers; what they load from this
   * same server does not, and goes to the server without a detour here */
  if (request.mode !== 'navigate' && request.destination !== 'worker') return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.status === 0) return response;
    var headers = new Headers(response.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: headers });
  }));
});
