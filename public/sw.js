// ksuite service worker: keeps the app shell available offline, keeps what the user last
// read (mail folders and messages, calendar ranges) for reading offline, and shows Web Push
// notifications. Online, the API always answers from the server.
// tools/sw-precache.mjs writes the build's id and its exact asset list here at build time,
// so each deploy installs as a new version with its own cache (old ones are removed).
const BUILD = '__KSUITE_BUILD__';
const PRECACHE = ['__KSUITE_PRECACHE__'];
const SHELL_CACHE = 'ksuite-shell-' + BUILD;
const SHELL_FALLBACK = '/index.html';
// The signed-in user's last answers, per build (a deploy may change their shape).
const DATA_CACHE = 'ksuite-data-' + BUILD;
// At most this many answers are kept; the oldest go first.
const DATA_LIMIT = 300;

// Precache index.html and every asset it references (Trunk's hashed js/wasm/css), so a
// reload without network still starts the app.
async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  const response = await fetch('/', { cache: 'no-store' });
  if (!response.ok) throw new Error('shell fetch failed: ' + response.status);
  await cache.put(SHELL_FALLBACK, response);
  // The list comes from tools/sw-precache.mjs (scripts/build-app.sh always runs it).
  const assets = new Set(PRECACHE.filter((url) => url.startsWith('/')));
  await Promise.all([...assets].map(async (url) => {
    try {
      const r = await fetch(url, { cache: 'no-store' });
      if (r.ok) await cache.put(url, r);
    } catch (_) { /* an optional asset missing must not break installation */ }
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    await precacheShell();
    // The first version takes over at once; a newer one waits until the user agrees to
    // reload, so a page never runs half old, half new (the app sees it installed: app/src/pwa.js).
    if (!self.registration.active) await self.skipWaiting();
  })());
});

// "Reload" in the app's update notice.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'ksuite:skip-waiting') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== SHELL_CACHE && key !== DATA_CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

function isApiOrDynamic(url) {
  return url.pathname.startsWith('/api/') || url.pathname.startsWith('/dav/')
    || url.pathname.startsWith('/l/') || url.pathname.startsWith('/.well-known/');
}

// What can be read offline: the mail folders, the message lists and messages opened, the
// calendars and the event ranges looked at (the last-opened folder and the month on
// screen among them). Nothing else of the API is ever stored.
function isOfflineReadable(url) {
  const p = url.pathname;
  return p === '/api/mail/folders' || /^\/api\/mail\/folders\/\d+\/messages$/.test(p)
    || /^\/api\/mail\/messages\/\d+$/.test(p) || p === '/api/calendars' || p === '/api/events';
}

// Bumped by every forget: an answer that was on its way when the user signed out is not
// stored afterwards.
let dataGeneration = 0;

function forgetData() {
  dataGeneration += 1;
  return caches.delete(DATA_CACHE);
}

async function remember(request, response, generation) {
  if (generation !== dataGeneration) return;
  const cache = await caches.open(DATA_CACHE);
  await cache.delete(request);
  await cache.put(request, response);
  // Signed out while it was being stored: forget again.
  if (generation !== dataGeneration) {
    await caches.delete(DATA_CACHE);
    return;
  }
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - DATA_LIMIT)).map((k) => cache.delete(k)));
}

// Network first; the stored answer only when the server cannot be reached. The page gets
// the answer at once; storing it finishes in the background. A refusal (signed out,
// session expired) forgets everything stored.
async function readThrough(event) {
  const request = event.request;
  const generation = dataGeneration;
  let fresh;
  try {
    fresh = await fetch(request);
  } catch (err) {
    const cached = await (await caches.open(DATA_CACHE)).match(request);
    if (cached) return cached;
    throw err;
  }
  if (fresh.status === 401 || fresh.status === 403) {
    event.waitUntil(forgetData());
  } else if (fresh.ok) {
    event.waitUntil(remember(request, fresh.clone(), generation));
  }
  return fresh;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Signing in, up or out: one user's stored mail must never be shown to the next.
  if (request.method === 'POST' && url.pathname.startsWith('/api/auth/')) {
    event.waitUntil(forgetData());
    return;
  }
  if (request.method === 'GET' && isOfflineReadable(url)) {
    event.respondWith(readThrough(event));
    return;
  }
  if (request.method !== 'GET' || isApiOrDynamic(url)) return;

  if (request.mode === 'navigate') {
    // Network first so a deploy is picked up at once; the cached shell when offline.
    event.respondWith((async () => {
      try {
        const fresh = await fetch(request);
        if (fresh.ok) {
          const cache = await caches.open(SHELL_CACHE);
          await cache.put(SHELL_FALLBACK, fresh.clone());
        }
        return fresh;
      } catch (_) {
        const cached = await caches.match(SHELL_FALLBACK);
        return cached || Response.error();
      }
    })());
    return;
  }

  // Static assets: cache first (Trunk's names change with their content), then network.
  event.respondWith((async () => {
    const cached = await caches.match(request);
    if (cached) return cached;
    const fresh = await fetch(request);
    if (fresh.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(request, fresh.clone());
    }
    return fresh;
  })());
});

// Web Push: the payload is JSON {title, body, url, token, tag} (ksuite_common::PushPayload).
// Reminders carry a token that authorises "Snooze" for that one notification.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'ksuite';
  const options = {
    body: data.body || '',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    tag: data.tag || undefined,
    data: { url: data.url || '/', token: data.token || null },
    actions: data.token ? [
      { action: 'open', title: 'Open' },
      { action: 'snooze', title: 'Snooze 10 min' },
    ] : [],
  };
  event.waitUntil((async () => {
    await self.registration.showNotification(title, options);
    // Lets open pages (and the browser tests) observe that a notification was shown.
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) {
      client.postMessage({ type: 'ksuite:notification-shown', title, body: options.body, url: options.data.url });
    }
  })());
});

function dismiss(token) {
  return fetch('/api/reminders/' + encodeURIComponent(token) + '/dismiss', {
    method: 'POST', credentials: 'omit',
  }).catch(() => {});
}

// Closing a reminder's notification dismisses it (its snoozes and retries stop).
self.addEventListener('notificationclose', (event) => {
  const token = event.notification.data && event.notification.data.token;
  if (token) event.waitUntil(dismiss(token));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const token = event.notification.data && event.notification.data.token;
  if (event.action === 'snooze' && token) {
    event.waitUntil(fetch('/api/reminders/' + encodeURIComponent(token) + '/snooze', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ minutes: 10 }),
      credentials: 'omit',
    }));
    return;
  }
  // Opening (or clicking) a reminder is seeing it: it will not come back as a retry.
  if (token) event.waitUntil(dismiss(token));
  const target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  // Never open another site from a notification.
  if (target.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) {
      if (client.url === target.href && 'focus' in client) return client.focus();
    }
    for (const client of windows) {
      if ('navigate' in client) {
        await client.focus();
        return client.navigate(target.href);
      }
    }
    return self.clients.openWindow(target.href);
  })());
});
