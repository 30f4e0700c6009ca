// The browser half of app updates, followed the browser's own way: a worker already waiting
// when the page loads, or one that finishes installing while it is open ('updatefound', then
// 'statechange'). The worker's state is the truth, so the notice never shows before "Reload"
// can act on it. The very first install takes over at once (sw.js) and is not an update.

function controlled() {
  return navigator.serviceWorker.controller !== null;
}

// Calls onReady() once a newer version is installed and waiting.
export async function watchUpdates(onReady) {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  const follow = (worker) => worker.addEventListener('statechange', () => {
    if (worker.state === 'installed' && controlled()) onReady();
  });
  if (registration.waiting && controlled()) onReady();
  if (registration.installing) follow(registration.installing);
  registration.addEventListener('updatefound', () => {
    if (registration.installing) follow(registration.installing);
  });
}

// Lets the waiting version take over, then reloads once it controls the page.
export async function applyUpdate() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload());
  const registration = await navigator.serviceWorker.getRegistration();
  if (registration && registration.waiting) registration.waiting.postMessage({ type: 'ksuite:skip-waiting' });
}
