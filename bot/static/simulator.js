// The phone simulator: learners' phones and the facilitator's, on the demo clock.
// A phone's screen only ever grows, like a real phone's: what the bot erases (FORGET) stays shown.
'use strict';

const main = document.getElementById('phones');
const template = document.getElementById('phone-template');
const clockEl = document.getElementById('clock');
const news = document.getElementById('news');
let TZ = main.dataset.timezone;
const FACILITATOR = main.dataset.facilitator;
const STORE = 'circlebot-simulator-learners';
const FIRST_LEARNER = '+18165550123';
const CALLS = 'circlebot-simulator-calls';  // the placed calls this browser answered, declined or sent to voicemail
function formatter(tz) {
  return new Intl.DateTimeFormat('en-US', {timeZone: tz, weekday: 'short', month: 'short', day: 'numeric',
                                           hour: 'numeric', minute: '2-digit'});
}
let when = formatter(TZ);
function setZone(tz) { TZ = tz; when = formatter(tz); showClock(); }
let clockOffset = 0;  // the demo clock minus this browser's clock, in ms
let demoTime = false;  // the demo clock has been moved away from the real time
const phones = [];
const startedRooms = new Set();  // conferences a facilitator's phone has started on this page
const phoneHooks = [];
const played = new Set();  // the placed calls this page played live  // other scripts (the state panel) add to each new phone
function demoNow() { return new Date(Date.now() + clockOffset).toISOString(); }

function setClock(iso, moved) {
  clockOffset = Date.parse(iso) - Date.now();
  if (moved !== undefined) demoTime = moved;
  showClock();
}
function clockState(d) { if (d.timezone && d.timezone !== TZ) setZone(d.timezone); setClock(d.now, d.demo_time); }
function showClock() {
  const now = new Date(Date.now() + clockOffset);
  clockEl.dateTime = now.toISOString();
  clockEl.textContent = when.format(now) + ' (' + TZ + ')' + (demoTime ? ' \u2014 demo time' : '');
}

async function postJSON(url, data) {
  const res = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                body: JSON.stringify(data || {})});
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || ('HTTP ' + res.status));
  return body;
}

function learners() { return phones.filter((p) => p.role === 'learner').map((p) => p.number || p.input.value); }
function saveLearners() {
  localStorage.setItem(STORE, JSON.stringify(phones.filter((p) => p.role === 'learner')
    .map((p) => ({number: p.number || p.input.value, label: p.label || ''}))));
}

function makePhone(role, number, label) {
  const el = template.content.firstElementChild.cloneNode(true);
  const p = {role, el, number: '', seen: new Set(), generation: 0,
             input: el.querySelector('.number'), log: el.querySelector('.log'),
             body: el.querySelector('.body'), button: el.querySelector('.send button'), error: el.querySelector('.error')};
  const n = phones.filter((q) => q.role === role).length + 1;
  const who = el.querySelector('.who');
  el.classList.add(role);
  el.setAttribute('aria-label', role === 'facilitator' ? 'Facilitator phone' : 'Learner ' + n + ' phone');
  p.label = label || '';
  who.textContent = role === 'facilitator' ? 'Facilitator ' : (p.label || 'Learner ' + n) + ' ';
  if (role === 'facilitator') {
    const small = document.createElement('small');
    small.textContent = number;
    who.appendChild(small);
    p.input.readOnly = true;
    el.querySelectorAll('.rename, .remove').forEach((b) => b.remove());
  } else {
    el.querySelector('.rename').addEventListener('click', () => renamePhone(p));
    el.querySelector('.remove').addEventListener('click', () => removePhone(p));
  }
  p.input.value = number;
  p.input.addEventListener('change', () => setNumber(p, p.input.value));
  p.body.addEventListener('input', () => { p.button.disabled = !p.body.value.trim(); });
  el.querySelector('.send').addEventListener('submit', (event) => { event.preventDefault(); send(p); });
  p.call = null;
  p.keys = el.querySelector('.keys');
  el.querySelector('.dial').addEventListener('click', () => dial(p));
  el.querySelector('.call').addEventListener('submit', (event) => { event.preventDefault(); pressKeys(p); });
  el.querySelector('.hangup').addEventListener('click', () => hangUp(p));
  main.appendChild(el);
  phones.push(p);
  phoneHooks.forEach((hook) => hook(p));
  setNumber(p, number);
  return p;
}

function renamePhone(p) {
  const name = prompt('A name for this phone (shown on the page only)', p.label || '');
  if (name === null) return;
  p.label = name.trim().slice(0, 30);
  p.el.querySelector('.who').firstChild.textContent = (p.label || p.el.getAttribute('aria-label').replace(/ phone$/, '')) + ' ';
  saveLearners();
}

function removePhone(p) {
  if (p.call) hangUp(p);
  p.el.remove();
  phones.splice(phones.indexOf(p), 1);
  saveLearners();
}

function handledCalls() { try { return JSON.parse(localStorage.getItem(CALLS) || '{}'); } catch (err) { return {}; } }
function markCall(key, how) { const h = handledCalls(); h[key] = how; localStorage.setItem(CALLS, JSON.stringify(h)); }

function ringing(p, m, li) {
  // A call the bot placed (CALL ME, a landline's reminder): it rings until answered, declined or sent to voicemail.
  li.classList.add('ringing');
  li.textContent = '\u{1F4DE} The bot is calling this phone';
  const done = handledCalls()[m.key];
  if (done) { li.append(' (' + done + ')'); return; }
  const buttons = document.createElement('div');
  buttons.className = 'call-buttons';
  [['Answer', 'answer'], ['Decline', 'decline'], ['Voicemail', 'voicemail']].forEach(([text, how]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.className = how;
    b.addEventListener('click', () => { buttons.remove(); li.append(' (' + how + ')'); markCall(m.key, how); pickUp(p, m, how); });
    buttons.appendChild(b);
  });
  li.appendChild(buttons);
}

function show(p, m) {
  if (p.seen.has(m.key)) return;
  if (m.call_sid && played.has(m.call_sid)) return;  // this page played that call: its lines are shown
  p.seen.add(m.key);
  const li = document.createElement('li');
  li.className = 'msg ' + (m.direction === 'in' ? 'in' : 'out');
  li.textContent = m.body;
  if (m.call) ringing(p, m, li);
  if (m.template) {  // a WhatsApp Content Template (outside the 24-hour window), with its HX sid
    li.classList.add('template');
    const tag = document.createElement('small');
    tag.className = 'template-tag';
    tag.textContent = 'WhatsApp template ' + m.template;
    li.prepend(tag, document.createElement('br'));
  }
  const time = document.createElement('time');
  time.dateTime = m.at;
  time.textContent = when.format(new Date(m.at));
  li.appendChild(time);
  const atBottom = p.log.scrollHeight - p.log.scrollTop - p.log.clientHeight < 40;
  p.log.appendChild(li);
  if (atBottom) p.log.scrollTop = p.log.scrollHeight;
}

function clearScreen(p) { p.log.replaceChildren(); p.seen.clear(); }

async function fetchMessages(p, raw) {
  const res = await fetch('/simulator/messages?phone=' + encodeURIComponent(raw));
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.detail || ('HTTP ' + res.status));
  return data;
}

async function setNumber(p, raw) {
  const generation = ++p.generation;
  clearScreen(p);
  p.number = '';
  try {
    const data = await fetchMessages(p, raw.trim());
    if (generation !== p.generation) return;
    p.number = data.phone;
    p.input.value = data.phone;
    p.error.textContent = '';
    data.messages.forEach((m) => show(p, m));
    p.log.scrollTop = p.log.scrollHeight;
  } catch (err) {
    if (generation === p.generation) p.error.textContent = err.message;
  }
  if (p.role === 'learner') saveLearners();
}

async function refresh(p) {
  if (!p.number) return;
  const generation = p.generation;
  try {
    const data = await fetchMessages(p, p.number);
    if (generation === p.generation) data.messages.forEach((m) => show(p, m));
  } catch (err) { /* the next poll tries again */ }
}

async function send(p) {
  const text = p.body.value;
  if (!text.trim()) return;
  if (!p.number && p.input.value.trim()) await setNumber(p, p.input.value);  // sent before the number was read
  if (!p.number) { p.error.textContent = 'Enter a phone number, like +18165550123 or (816) 555-0123'; return; }
  p.button.disabled = true;
  try {
    const signed = await postJSON('/simulator/sign', {from: p.number, body: text});
    const sid = signed.params.MessageSid || ('at-' + signed.params.id);  // a Kenyan phone: Africa's Talking
    p.body.value = '';
    show(p, {key: sid, direction: 'in', body: text, at: signed.now});
    const res = await fetch(signed.url || '/twilio/sms', {
      method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signed.signature},
      body: new URLSearchParams(signed.params).toString(),
    });
    if (!res.ok) throw new Error('The bot answered HTTP ' + res.status);
    // The replies in the webhook's TwiML show even when the bot has erased them since (FORGET YES).
    const twiml = new DOMParser().parseFromString(await res.text(), 'application/xml');
    twiml.querySelectorAll('Message').forEach((node, n) => {
      show(p, {key: sid + '#' + n, direction: 'out', body: node.textContent, at: signed.now});
    });
    p.error.textContent = '';
  } catch (err) {
    p.error.textContent = err.message;
  }
  p.button.disabled = !p.body.value.trim();
  refreshAll();
}

function refreshAll() { phones.forEach(refresh); }

function addLearner() {
  const used = learners().map((n) => parseInt(n.replace(/\D/g, ''), 10)).filter((n) => !isNaN(n));
  const next = used.length ? Math.max(...used) + 1 : parseInt(FIRST_LEARNER.slice(1), 10);
  const p = makePhone('learner', '+' + next);
  p.body.value = 'JOIN DEMO';
  p.button.disabled = false;
  p.body.focus();
}

async function fastForward(button) {
  button.disabled = true;
  news.textContent = 'Fast-forwarding…';
  try {
    const data = await postJSON('/simulator/fast-forward');
    setClock(data.now, true);
    if (!data.moved) {
      news.textContent = 'Nothing more is planned' + data.detail.replace(/^nothing is planned/, '') + '.';
    } else {
      const names = data.sent.map((s) => s.label + ' to ' + (s.to === FACILITATOR ? 'the facilitator' : s.to));
      news.textContent = 'Now ' + when.format(new Date(data.at)) + ': ' + (names.length ? 'sent ' + names.join(', ')
        : 'nothing went out (cancelled or no longer needed)') + '.';
    }
  } catch (err) {
    news.textContent = 'Fast-forward failed: ' + err.message;
  }
  button.disabled = false;
  refreshAll();
}

async function reset(button) {
  if (!confirm('Delete every circle, learner and message of this demo, and start again with circle DEMO?')) return;
  button.disabled = true;
  try {
    const data = await postJSON('/simulator/reset');
    setClock(data.now, false);
    phones.filter((p) => p.role === 'learner').forEach((p) => p.el.remove());
    phones.splice(0, phones.length, ...phones.filter((p) => p.role !== 'learner'));
    phones.forEach(clearScreen);
    localStorage.removeItem(CALLS);
    makePhone('learner', FIRST_LEARNER);
    document.dispatchEvent(new CustomEvent('circlebot-reset'));
    news.textContent = 'The demo starts again: text JOIN ' + data.code + ' from a learner\'s phone.';
  } catch (err) {
    news.textContent = 'Reset failed: ' + err.message;
  }
  button.disabled = false;
}

document.getElementById('fast-forward').addEventListener('click', (e) => fastForward(e.currentTarget));
document.getElementById('add-learner').addEventListener('click', addLearner);
document.getElementById('reset').addEventListener('click', (e) => reset(e.currentTarget));

// What other scripts (clock.js, state.js, telegram.js) use; voice.js shares this page's globals (calls).
window.circlebotSimulator = {phones, phoneHooks, refreshAll, postJSON, demoNow, clockState, setClock,
                             format: (iso) => when.format(new Date(iso)), news};

let saved = [];
try { saved = JSON.parse(localStorage.getItem(STORE) || '[]'); } catch (err) { saved = []; }
function startPhones() {
  makePhone('facilitator', FACILITATOR);
  (saved.length ? saved : [FIRST_LEARNER]).forEach((n) => (typeof n === 'string' ? makePhone('learner', n)
    : makePhone('learner', n.number, n.label)));
}
document.addEventListener('DOMContentLoaded', startPhones);  // after the other scripts add their hooks
fetch('/simulator/clock').then((r) => r.json()).then(clockState);
setInterval(refreshAll, 1500);
setInterval(showClock, 1000);
setInterval(() => fetch('/simulator/clock').then((r) => r.json()).then(clockState).catch(() => {}), 15000);
