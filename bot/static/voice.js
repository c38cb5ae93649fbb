// The simulator's call mode (loaded right after simulator.js, whose globals it shares: phones, postJSON…).
// Call mode: signed /twilio/voice requests; what <Say> would speak shows as text, <Play> plays, and a
// pretend conference posts the participant events to /twilio/conference.
let conferenceSequence = 0;

function callControls(p) {
  const inCall = p.call !== null;
  p.el.querySelector('.dial').disabled = inCall;
  p.el.querySelector('.hangup').disabled = !inCall;
  p.keys.disabled = !(inCall && (p.call.action || p.call.hostAction));
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

function newSid() {
  return 'CA' + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function callStatus(p, call, status) {
  // The placed call's status callback, as Twilio posts it once when the call ends.
  if (!call || !call.placed || !call.placed.status || call.statusSent) return;
  call.statusSent = true;
  const signed = await postJSON('/simulator/voice/sign', {from: p.number, path: call.placed.status, placed: true,
                                                          call_sid: call.sid, status, answered_by: call.answeredBy});
  await signedPost(call.placed.status, signed);
}

async function pickUp(p, m, how) {
  if (p.call) { p.error.textContent = 'Hang up first: this phone is in a call.'; return; }
  p.call = {sid: newSid(), step: 0, action: null, room: null, placed: m.call};
  played.add(p.call.sid);
  try {
    if (how === 'decline') {
      await callStatus(p, p.call, 'busy');
      endCall(p, 'You declined the call.');
    } else if (how === 'voicemail') {
      p.call.answeredBy = 'machine_end_beep';
      show(p, {key: p.call.sid + ':vm', direction: 'out', at: demoNow(), body: '\u{1F4FC} Voicemail picks up'});
      const call = p.call;
      await voiceStep(p, m.call.answer);
      await callStatus(p, call, 'completed');
      if (p.call === call) endCall(p, 'The message was left on voicemail.');
    } else {
      p.call.answeredBy = 'human';
      show(p, {key: p.call.sid, direction: 'in', at: demoNow(), body: '\u{1F4DE} Answered'});
      await voiceStep(p, m.call.answer);
    }
    p.error.textContent = '';
  } catch (err) { p.error.textContent = err.message; endCall(p, 'Call failed.'); }
  refreshAll();
}

async function voiceStep(p, path, digits, speech) {
  const signed = await postJSON('/simulator/voice/sign', {from: p.number, path, digits, speech, call_sid: p.call.sid,
                                                          placed: !!p.call.placed, answered_by: p.call.answeredBy});
  const twiml = new DOMParser().parseFromString(await (await signedPost(path, signed)).text(), 'application/xml');
  speak(p, twiml, signed.now);
  const gather = twiml.querySelector('Gather');
  p.call.action = gather ? relative(gather.getAttribute('action')) : null;
  // A <Gather input="speech dtmf"> (a name, when joining by phone): what is typed with letters is "said".
  p.call.speech = !!gather && (gather.getAttribute('input') || '').includes('speech');
  p.keys.placeholder = p.call.speech ? 'Say it (type the words) or press keys' : 'Keys, e.g. 424242#';
  p.keys.inputMode = p.call.speech ? 'text' : 'tel';
  const conference = twiml.querySelector('Dial > Conference');
  hostDial(p, twiml);
  if (conference) await joinConference(p, conference, signed.now);
  else if (!gather && twiml.querySelector('Hangup')) {
    endCall(p, p.call.answeredBy === 'machine_end_beep' ? 'The message was left on voicemail.' : 'The bot hung up.');
  }
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
  const started = startedRooms.has(p.call.room);
  show(p, {key: p.call.sid + ':room', direction: 'out', at,
           body: 'In the conference ' + p.call.room + (p.call.facilitator ? ' (facilitator: it starts now)'
             : started ? ' (the facilitator is there: you are talking together)' : ' (waiting for the facilitator)')});
  await conferenceEvent(p, 'participant-join');
  if (p.call.facilitator) { await conferenceEvent(p, 'conference-start'); startedRooms.add(p.call.room); }
  else watchMute(p);
  const wait = conference.getAttribute('waitUrl');
  if (wait && !started && !p.call.facilitator) {  // Twilio plays the waitUrl only until the conference starts
    const path = relative(wait);
    const signed = await postJSON('/simulator/voice/sign', {from: p.number, path, call_sid: p.call.sid});
    speak(p, new DOMParser().parseFromString(await (await signedPost(path, signed)).text(), 'application/xml'), at);
  }
}

function endCall(p, why) {
  if (p.call && p.call.audio) p.call.audio.pause();
  if (p.call && p.call.placed && !p.call.statusSent) callStatus(p, p.call, 'completed').catch(() => {});
  if (p.call) show(p, {key: p.call.sid + ':end', direction: 'out', body: why, at: demoNow()});
  p.call = null;
  callControls(p);
}

async function dial(p) {
  if (!p.number) { p.error.textContent = 'Enter a phone number, like +18165550123 or (816) 555-0123'; return; }
  if (p.call) return;
  p.call = {sid: newSid(), step: 0, action: null, room: null};
  show(p, {key: p.call.sid, direction: 'in', body: '\u{1F4DE} Calling the bot', at: demoNow()});
  try { await voiceStep(p, '/twilio/voice'); p.error.textContent = ''; } catch (err) { p.error.textContent = err.message; endCall(p, 'Call failed.'); }
}

async function pressKeys(p) {
  if (p.call && !p.call.action && p.call.hostAction && p.keys.value.includes('*')) return starOut(p);
  if (!p.call || !p.call.action) return;
  const typed = p.keys.value.trim();
  const speech = p.call.speech && /[^0-9*#\s]/.test(typed) ? typed : undefined;
  const digits = speech === undefined ? typed.replace(/[^0-9*#]/g, '').replace(/#$/, '') : undefined;
  p.keys.value = '';
  p.call.step += 1;
  const body = speech !== undefined ? '\u{1F5E3} \u201C' + speech + '\u201D' : '\u2328 ' + (digits || '(silence)');
  show(p, {key: p.call.sid + ':keys:' + p.call.step, direction: 'in', body, at: demoNow()});
  try { await voiceStep(p, p.call.action, digits, speech); p.error.textContent = ''; } catch (err) { p.error.textContent = err.message; }
}

// The host menu (issue 26): the facilitator's Dial has hangupOnStar, so * leaves the room for the keypad
// menu (its action URL) and the menu's answer puts them back; the other phones in the room show when the
// facilitator muted them, or took them out of the call.
function hostDial(p, twiml) {
  const dial = twiml.querySelector('Dial[hangupOnStar="true"]');
  if (p.call) p.call.hostAction = dial ? relative(dial.getAttribute('action')) : null;
}

async function starOut(p) {
  p.keys.value = '';
  p.call.step += 1;
  show(p, {key: p.call.sid + ':keys:' + p.call.step, direction: 'in', body: '\u2328 * (host menu)',
           at: new Date().toISOString()});
  try {
    await conferenceEvent(p, 'participant-leave');  // Twilio takes the facilitator out of the room
    p.call.room = null;
    await voiceStep(p, p.call.hostAction);
    p.error.textContent = '';
  } catch (err) { p.error.textContent = err.message; }
}

async function watchMute(p) {
  const call = p.call;
  if (!call || call.watching) return;
  Object.assign(call, {watching: true, muted: false, seen: false});
  while (p.call === call) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (p.call !== call) break;
    let state;
    try {
      state = await (await fetch('/simulator/call/state?call_sid=' + encodeURIComponent(call.sid))).json();
    } catch (err) { continue; }
    if (state.on_line) call.seen = true;
    if (state.muted !== call.muted) {
      call.muted = state.muted;
      p.el.classList.toggle('muted-by-host', call.muted);
      call.step += 1;
      show(p, {key: call.sid + ':mute:' + call.step, direction: 'out', at: new Date().toISOString(),
               body: call.muted ? '\u{1F507} Muted by the facilitator' : '\u{1F508} The facilitator unmuted you'});
    }
    if (call.seen && !state.on_line) { p.el.classList.remove('muted-by-host'); endCall(p, 'The facilitator ended your call.'); }
  }
}

async function hangUp(p) {
  if (!p.call) return;
  try {
    if (p.call.room) {
      await conferenceEvent(p, 'participant-leave');
      if (p.call.facilitator) { await conferenceEvent(p, 'conference-end'); startedRooms.delete(p.call.room); }
    }
    await callStatus(p, p.call, 'completed');
  } catch (err) { p.error.textContent = err.message; }
  endCall(p, 'You hung up.');
}
