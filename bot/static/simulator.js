// The phone simulator: learners' phones and the facilitator's, on the demo clock.
// A phone's screen only ever grows, like a real phone's: what the bot erases (FORGET) stays shown.
'use strict';

const main = document.getElementById('phones');
const template = document.getElementById('phone-template');
const clockEl = document.getElementById('clock');
const news = document.getElementById('news');
const TZ = main.dataset.timezone;
const FACILITATOR = main.dataset.facilitator;
const STORE = 'circlebot-simulator-learners';
const FIRST_LEARNER = '+18165550123';
const when = new Intl.DateTimeFormat('en-US', {timeZone: TZ, weekday: 'short', month: 'short', day: 'numeric',
                                                 hour: 'numeric', minute: '2-digit'});
let clockOffset = 0;  // the demo clock minus this browser's clock, in ms
const phones = [];

function setClock(iso) { clockOffset = Date.parse(iso) - Date.now(); showClock(); }
function showClock() {
  const now = new Date(Date.now() + clockOffset);
  clockEl.dateTime = now.toISOString();
  clockEl.textContent = when.format(now) + ' (' + TZ + ')';
}

async function postJSON(url, data) {
  const res = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                body: JSON.stringify(data || {})});
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || ('HTTP ' + res.status));
  return body;
}

function learners() { return phones.filter((p) => p.role === 'learner').map((p) => p.number || p.input.value); }
function saveLearners() { localStorage.setItem(STORE, JSON.stringify(learners())); }

function makePhone(role, number) {
  const el = template.content.firstElementChild.cloneNode(true);
  const p = {role, el, number: '', seen: new Set(), generation: 0,
             input: el.querySelector('.number'), log: el.querySelector('.log'),
             body: el.querySelector('.body'), button: el.querySelector('button'), error: el.querySelector('.error')};
  const n = phones.filter((q) => q.role === role).length + 1;
  const who = el.querySelector('.who');
  el.classList.add(role);
  el.setAttribute('aria-label', role === 'facilitator' ? 'Facilitator phone' : 'Learner ' + n + ' phone');
  who.textContent = role === 'facilitator' ? 'Facilitator ' : 'Learner ' + n + ' ';
  if (role === 'facilitator') {
    const small = document.createElement('small');
    small.textContent = number;
    who.appendChild(small);
    p.input.readOnly = true;
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
  setNumber(p, number);
  return p;
}

function show(p, m) {
  if (p.seen.has(m.key)) return;
  p.seen.add(m.key);
  const li = document.createElement('li');
  li.className = 'msg ' + (m.direction === 'in' ? 'in' : 'out');
  li.textContent = m.body;
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

// Call mode: signed /twilio/voice requests; what <Say> would speak shows as text, <Play> plays, and a
// pretend conference posts the participant events to /twilio/conference.
let conferenceSequence = 0;

function callControls(p) {
  const inCall = p.call !== null;
  p.el.querySelector('.dial').disabled = inCall;
  p.el.querySelector('.hangup').disabled = !inCall;
  p.keys.disabled = !(inCall && p.call.action);
  p.el.querySelector('.press').disabled = p.keys.disabled;
}

function relative(url) { const u = new URL(url, location.origin); return u.pathname + u.search; }

async function signedPost(path, signed) {
  const res = await fetch(path, {
    method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signed.signature},
    body: new URLSearchParams(signed.params).toString(),
  });
  if (!res.ok) throw new Error('The bot answered HTTP ' + res.status);
  return res;
}

async function voiceStep(p, path, digits) {
  const signed = await postJSON('/simulator/voice/sign', {from: p.number, path, digits, call_sid: p.call.sid});
  const twiml = new DOMParser().parseFromString(await (await signedPost(path, signed)).text(), 'application/xml');
  speak(p, twiml, signed.now);
  const gather = twiml.querySelector('Gather');
  p.call.action = gather ? relative(gather.getAttribute('action')) : null;
  const conference = twiml.querySelector('Dial > Conference');
  if (conference) await joinConference(p, conference, signed.now);
  else if (!gather && twiml.querySelector('Hangup')) endCall(p, 'The bot hung up.');
  callControls(p);
}

function speak(p, twiml, at) {
  twiml.querySelectorAll('Say').forEach((node) => {
    p.call.step += 1;
    show(p, {key: p.call.sid + ':say:' + p.call.step, direction: 'out', at,
             body: '\u{1F50A} ' + node.textContent + ' [' + (node.getAttribute('voice') || '') + ', ' +
                   (node.getAttribute('language') || '') + ']'});
  });
  twiml.querySelectorAll('Play').forEach((node) => {
    const audio = new Audio(node.textContent);
    audio.loop = node.getAttribute('loop') === '0';
    audio.play().catch(() => {});
    p.call.audio = audio;
  });
}

async function conferenceEvent(p, event) {
  const signed = await postJSON('/simulator/conference/sign', {room: p.call.room, call_sid: p.call.sid, event,
                                                              sequence: ++conferenceSequence});
  await signedPost('/twilio/conference', signed);
}

async function joinConference(p, conference, at) {
  p.call.room = conference.textContent;
  p.call.facilitator = conference.getAttribute('startConferenceOnEnter') === 'true';
  show(p, {key: p.call.sid + ':room', direction: 'out', at,
           body: 'In the conference ' + p.call.room + (p.call.facilitator ? ' (facilitator: it starts now)' : ' (waiting for the facilitator)')});
  await conferenceEvent(p, 'participant-join');
  if (p.call.facilitator) await conferenceEvent(p, 'conference-start');
  const wait = conference.getAttribute('waitUrl');
  if (wait) {
    const path = relative(wait);
    const signed = await postJSON('/simulator/voice/sign', {from: p.number, path, call_sid: p.call.sid});
    speak(p, new DOMParser().parseFromString(await (await signedPost(path, signed)).text(), 'application/xml'), at);
  }
}

function endCall(p, why) {
  if (p.call && p.call.audio) p.call.audio.pause();
  if (p.call) show(p, {key: p.call.sid + ':end', direction: 'out', body: why, at: new Date().toISOString()});
  p.call = null;
  callControls(p);
}

async function dial(p) {
  if (!p.number) { p.error.textContent = 'Enter a phone number, like +18165550123 or (816) 555-0123'; return; }
  p.call = {sid: 'CA' + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''),
            step: 0, action: null, room: null};
  show(p, {key: p.call.sid, direction: 'in', body: '\u{1F4DE} Calling the bot', at: new Date().toISOString()});
  try { await voiceStep(p, '/twilio/voice'); p.error.textContent = ''; } catch (err) { p.error.textContent = err.message; endCall(p, 'Call failed.'); }
}

async function pressKeys(p) {
  if (!p.call || !p.call.action) return;
  const digits = p.keys.value.replace(/[^0-9*#]/g, '').replace(/#$/, '');
  p.keys.value = '';
  p.call.step += 1;
  show(p, {key: p.call.sid + ':keys:' + p.call.step, direction: 'in', body: '\u2328 ' + (digits || '(silence)'),
           at: new Date().toISOString()});
  try { await voiceStep(p, p.call.action, digits); p.error.textContent = ''; } catch (err) { p.error.textContent = err.message; }
}

async function hangUp(p) {
  if (!p.call) return;
  try {
    if (p.call.room) {
      await conferenceEvent(p, 'participant-leave');
      if (p.call.facilitator) await conferenceEvent(p, 'conference-end');
    }
  } catch (err) { p.error.textContent = err.message; }
  endCall(p, 'You hung up.');
}

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
    setClock(data.now);
    if (!data.moved) {
      news.textContent = 'Nothing more is planned: ' + data.detail + '.';
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
    setClock(data.now);
    phones.filter((p) => p.role === 'learner').forEach((p) => p.el.remove());
    phones.splice(0, phones.length, ...phones.filter((p) => p.role !== 'learner'));
    phones.forEach(clearScreen);
    makePhone('learner', FIRST_LEARNER);
    news.textContent = 'The demo starts again: text JOIN ' + data.code + ' from a learner\'s phone.';
  } catch (err) {
    news.textContent = 'Reset failed: ' + err.message;
  }
  button.disabled = false;
}

document.getElementById('fast-forward').addEventListener('click', (e) => fastForward(e.currentTarget));
document.getElementById('add-learner').addEventListener('click', addLearner);
document.getElementById('reset').addEventListener('click', (e) => reset(e.currentTarget));

let saved = [];
try { saved = JSON.parse(localStorage.getItem(STORE) || '[]'); } catch (err) { saved = []; }
makePhone('facilitator', FACILITATOR);
(saved.length ? saved : [FIRST_LEARNER]).forEach((n) => makePhone('learner', n));
fetch('/simulator/clock').then((r) => r.json()).then((d) => setClock(d.now));
setInterval(refreshAll, 1500);
setInterval(showClock, 1000);
setInterval(() => fetch('/simulator/clock').then((r) => r.json()).then((d) => setClock(d.now)).catch(() => {}), 15000);
