// The browser half of Web Push: ask permission (only ever called from a click), subscribe
// with the server's VAPID key, and report this browser's subscription.

function keyBytes(base64url) {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob((base64url + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

// Resolves to the subscription's JSON text, or rejects with a reason.
export async function enablePush(vapidKey) {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    throw new Error('unsupported');
  }
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('denied');
  const registration = await navigator.serviceWorker.ready;
  let sub = await registration.pushManager.getSubscription();
  if (!sub) {
    sub = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(vapidKey),
    });
  }
  return JSON.stringify(sub.toJSON());
}

// This browser's endpoint, or "" when it is not subscribed.
export async function currentEndpoint() {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return '';
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration) return '';
  const sub = await registration.pushManager.getSubscription();
  return sub ? sub.endpoint : '';
}
