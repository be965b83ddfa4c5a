/**
 * The fake chat's only script, served as /chat.js. Every second it requests the messages newer
 * than the last one shown and appends them. The bot renders them as escaped HTML, so the script
 * inserts no text of its own.
 */
export const chatScript = `'use strict';
(() => {
  const list = document.getElementById('messages');
  const status = document.getElementById('connection');
  const lastId = () => (list.lastElementChild ? list.lastElementChild.getAttribute('data-id') : '0');
  if (list.lastElementChild) list.lastElementChild.scrollIntoView({ block: 'end' });

  async function poll() {
    try {
      const response = await fetch('/messages?after=' + encodeURIComponent(lastId()), { cache: 'no-store' });
      if (!response.ok) throw new Error('status ' + response.status);
      const html = await response.text();
      status.textContent = '';
      if (html.trim() !== '') {
        list.insertAdjacentHTML('beforeend', html);
        list.lastElementChild.scrollIntoView({ block: 'end', behavior: 'smooth' });
      }
    } catch {
      status.textContent = 'The demo bot cannot be reached. Did askgate demo stop?';
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();
`;
