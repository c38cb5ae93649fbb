// The demo clock's controls: the demo's zone (seeding the demo again there), its quiet hours, and "Go to…".
'use strict';

(function () {
  const sim = window.circlebotSimulator;
  const zone = document.getElementById('zone');
  const quiet = document.getElementById('quiet');
  const moment = document.getElementById('moment');
  const form = document.getElementById('go-to');

  async function load() {
    try {
      const data = await (await fetch('/simulator/moments')).json();
      sim.clockState(data);
      quiet.textContent = data.quiet_hours ? 'Quiet hours ' + data.quiet_hours + ' (scheduled texts wait)' : 'No quiet hours';
      const zones = [data.timezone, ...data.zones.filter((z) => z !== data.timezone)];
      if (zone.options.length !== zones.length || zone.value !== data.timezone) {
        zone.replaceChildren(...zones.map((z) => new Option(z, z, false, z === data.timezone)));
      }
      const chosen = moment.value;
      moment.replaceChildren(...data.moments.map((m) => {
        const o = new Option(m.label + (m.name === 'now' ? '' : ' \u2014 ' + sim.format(m.at)), m.name);
        o.disabled = m.past;
        return o;
      }));
      if ([...moment.options].some((o) => o.value === chosen && !o.disabled)) moment.value = chosen;
    } catch (err) { /* the next load tries again */ }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    sim.news.textContent = 'Going to ' + moment.selectedOptions[0].textContent + '…';
    try {
      const data = await sim.postJSON('/simulator/go-to', {moment: moment.value});
      sim.clockState(data);
      if (!data.moved) sim.news.textContent = 'The clock did not move: ' + data.detail + '.';
      else {
        const names = data.sent.map((s) => s.label + ' to ' + s.to);
        sim.news.textContent = 'Now ' + sim.format(data.at) + ': ' +
          (names.length ? 'sent ' + names.join(', ') : 'nothing new was due then (what was due had gone out already)') + '.';
      }
    } catch (err) { sim.news.textContent = 'Go to failed: ' + err.message; }
    button.disabled = false;
    sim.refreshAll();
    load();
  });

  zone.addEventListener('change', async () => {
    if (!confirm('Start the demo again in ' + zone.value + '? Every circle, learner and message of this demo is deleted.')) {
      load();
      return;
    }
    try {
      const data = await sim.postJSON('/simulator/zone', {timezone: zone.value});
      sim.clockState(data);
      sim.news.textContent = 'The demo starts again in ' + data.timezone + ': text JOIN ' + data.code + ' from a learner\'s phone.';
      sim.phones.forEach((p) => { p.log.replaceChildren(); p.seen.clear(); });
      document.dispatchEvent(new CustomEvent('circlebot-reset'));
    } catch (err) { sim.news.textContent = 'Changing the zone failed: ' + err.message; }
    load();
  });

  document.getElementById('fast-forward').addEventListener('click', () => setTimeout(load, 1500));
  document.addEventListener('circlebot-reset', load);
  load();
  setInterval(load, 20000);
})();
