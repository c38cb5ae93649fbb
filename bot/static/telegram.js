// The simulator's Telegram chats: each posts real Telegram updates, with the webhook secret, to /telegram.
// A reply with choices shows its inline keyboard; a tap posts a callback_query and the keyboard goes away,
// as Telegram's editMessageReplyMarkup does.
'use strict';

(function () {
  const main = document.getElementById('phones');
  const FIRST_CHAT = 5512345678;
  const chats = [];

  async function post(url, data, headers) {
    const res = await fetch(url, {method: 'POST', headers: Object.assign({'Content-Type': 'application/json'},
                                                                        headers || {}), body: JSON.stringify(data)});
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.detail || ('HTTP ' + res.status));
    return body;
  }

  function makeChat(id) {
    const el = document.createElement('section');
    el.className = 'phone telegram';
    el.setAttribute('aria-label', 'Telegram chat ' + id);
    el.innerHTML = '<h2 class="who">Telegram <small></small></h2><ol class="log" role="log" aria-live="polite"' +
      ' tabindex="0"></ol><form class="send"><input class="body" aria-label="Telegram message"' +
      ' placeholder="Message" autocomplete="off" maxlength="4096"><button type="submit">Send</button></form>' +
      '<p class="error" role="alert"></p>';
    el.querySelector('small').textContent = 'chat ' + id;
    const c = {id, el, log: el.querySelector('.log'), body: el.querySelector('.body'),
               error: el.querySelector('.error'), seen: new Map(), tapped: new Set()};
    el.querySelector('.send').addEventListener('submit', (event) => { event.preventDefault(); sendText(c); });
    main.appendChild(el);
    chats.push(c);
    refresh(c);
    return c;
  }

  function show(c, m) {
    if (c.seen.has(m.key)) return;
    const li = document.createElement('li');
    li.className = 'msg ' + (m.direction === 'in' ? 'in' : 'out');
    li.textContent = m.body;
    if (m.buttons && m.buttons.length && !c.tapped.has(m.message_id)) {
      const board = document.createElement('div');
      board.className = 'keyboard';
      m.buttons.forEach((row) => {
        const line = document.createElement('div');
        row.forEach((b) => {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = b.text;
          button.addEventListener('click', () => tap(c, m.message_id, b.data, board));
          line.appendChild(button);
        });
        board.appendChild(line);
      });
      li.appendChild(board);
    }
    c.seen.set(m.key, li);
    c.log.appendChild(li);
    c.log.scrollTop = c.log.scrollHeight;
  }

  async function deliver(c, request) {
    const made = await post('/simulator/telegram/update', Object.assign({chat: c.id, lang: 'en'}, request));
    await post('/telegram', made.update, {'X-Telegram-Bot-Api-Secret-Token': made.secret});
  }

  async function sendText(c) {
    const text = c.body.value;
    if (!text.trim()) return;
    try {
      await deliver(c, {text});
      c.body.value = '';
      c.error.textContent = '';
    } catch (err) { c.error.textContent = err.message; }
    refresh(c);
  }

  async function tap(c, messageId, data, board) {
    c.tapped.add(messageId);
    board.remove();
    try { await deliver(c, {data, message_id: messageId}); c.error.textContent = ''; }
    catch (err) { c.error.textContent = err.message; }
    refresh(c);
  }

  async function refresh(c) {
    try {
      const res = await fetch('/simulator/telegram/messages?chat=' + c.id);
      const data = await res.json();
      data.messages.forEach((m) => show(c, m));
    } catch (err) { /* the next poll tries again */ }
  }

  const add = document.createElement('button');
  add.type = 'button';
  add.id = 'add-telegram';
  add.textContent = 'Add a Telegram chat';
  add.addEventListener('click', () => {
    const chat = makeChat(FIRST_CHAT + chats.length);
    chat.body.value = '/start DEMO';
    chat.body.focus();
  });
  document.querySelector('.controls').appendChild(add);
  setInterval(() => chats.forEach(refresh), 1500);
})();
