// The simulator's Telegram chats: each posts real Telegram updates, with the webhook secret, to /telegram.
// A reply with choices shows its inline keyboard; a tap posts a callback_query and the keyboard goes away,
// as Telegram's editMessageReplyMarkup does.
'use strict';

(function () {
  const main = document.getElementById('phones');
  const FIRST_CHAT = 5512345678;
  const STORE = 'circlebot-simulator-telegram';  // the chats on this page, kept across reloads like the phones
  const LANGUAGES = ['en', 'es', 'fr', 'pt', 'pl', 'sw'];
  const chats = [];

  function save() { localStorage.setItem(STORE, JSON.stringify(chats.map((c) => ({id: c.id, lang: c.lang})))); }

  async function post(url, data, headers) {
    const res = await fetch(url, {method: 'POST', headers: Object.assign({'Content-Type': 'application/json'},
                                                                        headers || {}), body: JSON.stringify(data)});
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.detail || ('HTTP ' + res.status));
    return body;
  }

  function makeChat(id, lang) {
    const el = document.createElement('section');
    el.className = 'phone telegram';
    el.setAttribute('aria-label', 'Telegram chat ' + id);
    el.innerHTML = '<h2 class="who">Telegram <small></small></h2>' +
      '<div class="phone-tools"><label>language_code <select class="lang" aria-label="Telegram language_code">' +
      '</select></label><button type="button" class="remove">Remove</button></div>' +
      '<ol class="log" role="log" aria-live="polite"' +
      ' tabindex="0"></ol><form class="send"><input class="body" aria-label="Telegram message"' +
      ' placeholder="Message" autocomplete="off" maxlength="4096"><button type="submit">Send</button></form>' +
      '<p class="error" role="alert"></p><details class="state"><summary>What this chat is waiting for</summary>' +
      '<div class="state-body"></div><button type="button" class="reset-phone">Reset this chat</button></details>';
    el.querySelector('small').textContent = 'chat ' + id;
    const c = {id, el, lang: LANGUAGES.includes(lang) ? lang : 'en', log: el.querySelector('.log'),
               body: el.querySelector('.body'), error: el.querySelector('.error'), seen: new Map(), tapped: new Set()};
    const select = el.querySelector('.lang');
    LANGUAGES.forEach((code) => select.appendChild(new Option(code, code, false, code === c.lang)));
    select.addEventListener('change', () => { c.lang = select.value; save(); });
    el.querySelector('.remove').addEventListener('click', () => { el.remove(); chats.splice(chats.indexOf(c), 1); save(); });
    el.querySelector('.send').addEventListener('submit', (event) => { event.preventDefault(); sendText(c); });
    main.appendChild(el);
    chats.push(c);
    save();
    if (window.circlebotState) {
      window.circlebotState.attach(el, () => ({chat: String(c.id)}), () => { c.log.replaceChildren(); c.seen.clear(); c.tapped.clear(); });
      if (window.matchMedia('(min-width: 481px)').matches) el.querySelector('.state').open = true;
    }
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
      const wide = Math.max(...m.buttons.map((row) => row.length)) > 3;
      if (wide) board.classList.add('wide');  // a 0-10 scale: the buttons wrap, each label stays legible
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
    const made = await post('/simulator/telegram/update', Object.assign({chat: c.id, lang: c.lang}, request));
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
    const chat = makeChat(chats.length ? Math.max(...chats.map((x) => x.id)) + 1 : FIRST_CHAT, 'en');
    chat.body.value = '/start DEMO';
    chat.body.focus();
  });
  document.querySelector('.controls').appendChild(add);
  document.addEventListener('circlebot-reset', () => {  // the demo starts again: so do its chats
    chats.splice(0).forEach((c) => c.el.remove());
    save();
  });
  let saved = [];
  try { saved = JSON.parse(localStorage.getItem(STORE) || '[]'); } catch (err) { saved = []; }
  document.addEventListener('DOMContentLoaded', () => saved.forEach((c) => makeChat(c.id, c.lang)));
  setInterval(() => chats.forEach(refresh), 1500);
})();
