// Each phone's state panel: its circles, channel and language, the open question (what a digit or a tap
// answers, until when) and what is planned for it next; and "Reset this phone".
'use strict';

(function () {
  const sim = window.circlebotSimulator;
  const panels = [];

  function line(parent, label, text) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = text;
    parent.append(dt, dd);
  }

  function render(body, data) {
    const dl = document.createElement('dl');
    if (!data.known) {
      line(dl, 'Known to the bot', 'no: a new phone (text JOIN DEMO)');
      body.replaceChildren(dl);
      return;
    }
    line(dl, 'Name', data.name || '(not given)');
    line(dl, 'Language', data.language || '(not chosen)');
    line(dl, 'Channel', data.channels.map((c) => c.channel + (c.preferred ? ' (preferred)' : '') + (c.stopped ? ' STOPPED' : '')).join(', ') || '—');
    line(dl, 'Circles', data.circles.map((c) => c.code + ' (' + c.status + ')').join(', ') || 'none');
    if (data.open) {
      line(dl, 'Open question', data.open.what);
      line(dl, 'A reply answers it', data.open.answers + (data.open.until ? ', until ' + sim.format(data.open.until) : ''));
    } else {
      line(dl, 'Open question', 'none: a text goes to the facilitator (or gets help)');
    }
    line(dl, 'Planned next', data.next.map((n) => n.label + ' ' + (n.due ? 'now' : sim.format(n.at))).join('; ') ||
      'nothing yet (the planners add texts as their time comes)');
    body.replaceChildren(dl);
  }

  function attach(el, query, onReset) {
    const details = el.querySelector('.state');
    const body = details.querySelector('.state-body');
    const panel = {el, details, body, query};
    async function refresh() {
      if (!details.open || !el.isConnected) return;
      const q = query();
      if (!q) return;
      try {
        const res = await fetch('/simulator/state?' + new URLSearchParams(q));
        if (res.ok) render(body, await res.json());
      } catch (err) { /* the next poll tries again */ }
    }
    panel.refresh = refresh;
    details.addEventListener('toggle', refresh);
    const resetButton = details.querySelector('.reset-phone');
    if (resetButton) resetButton.addEventListener('click', async () => {
      if (!confirm('Forget this phone: its learner, answers and messages, as FORGET does?')) return;
      try {
        await sim.postJSON('/simulator/phone/reset', query());
        onReset();
        refresh();
        sim.news.textContent = 'The phone starts again as new.';
      } catch (err) { sim.news.textContent = 'Reset this phone failed: ' + err.message; }
    });
    panels.push(panel);
    return panel;
  }

  sim.phoneHooks.push((p) => {
    if (p.role === 'facilitator') {
      p.el.querySelector('.reset-phone').remove();
    }
    attach(p.el, () => (p.number ? {phone: p.number} : null), () => { p.log.replaceChildren(); p.seen.clear(); });
    if (window.matchMedia('(min-width: 481px)').matches) p.el.querySelector('.state').open = true;
  });
  window.circlebotState = {attach};
  // Open beside each phone on a wide screen; on a phone's width it folds away (its summary stays).
  window.matchMedia('(min-width: 481px)').addEventListener('change', (e) => {
    panels.forEach((panel) => { panel.details.open = e.matches; });
  });
  setInterval(() => panels.forEach((panel) => panel.refresh()), 2000);
})();
