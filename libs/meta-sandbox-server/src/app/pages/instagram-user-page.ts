import { escapeHtml, layout } from './html';
import type { SandboxContext } from '../sandbox-context';

/**
 * "DM the business as an Instagram user": pick or create a person, write to one of the
 * sandbox's business accounts, and watch the business's replies arrive (through the Send API).
 * The script talks only to the control API, like a test would.
 */
export function instagramUserPage(ctx: SandboxContext): string {
  const accounts = [...ctx.world.instagramAccounts.values()]
    .map(
      (a) =>
        `<option value="${escapeHtml(a.id)}">@${escapeHtml(a.username)}</option>`,
    )
    .join('');
  return layout(
    'Instagram as a user — Meta sandbox',
    `<main style="max-width:720px">
  <h1>Message a business as an Instagram user</h1>
  <p class="muted">Messages go to InstantChat as Meta's signed webhooks. Replies sent from InstantChat appear here.
  The business must be connected in InstantChat first (that subscribes the app to the Page's webhooks).</p>
  <div style="display:flex;gap:8px;flex-wrap:wrap;align-items:center">
    <label>You are <select id="user"></select></label>
    <label>writing to <select id="account">${accounts}</select></label>
  </div>
  <details style="margin:8px 0"><summary class="muted">New Instagram user</summary>
    <form id="new-user" style="display:flex;gap:8px;margin-top:8px">
      <input id="new-username" placeholder="username" required pattern="[A-Za-z0-9._]{1,30}">
      <input id="new-name" placeholder="display name">
      <button class="secondary" type="submit">Create</button>
    </form>
  </details>
  <div id="thread" style="border:1px solid #dddfe2;border-radius:8px;height:360px;overflow-y:auto;padding:12px;margin:12px 0;background:#fafafa"></div>
  <form id="compose" style="display:flex;gap:8px">
    <input id="text" style="flex:1;padding:8px" placeholder="Message…" autocomplete="off" maxlength="1000">
    <button class="primary" type="submit">Send</button>
    <button class="secondary" type="button" id="photo" title="Send a photo">Photo</button>
  </form>
  <div style="display:flex;gap:8px;margin-top:8px">
    <button class="secondary" type="button" id="seen" title="Mark the business's last message as seen">Seen</button>
    <button class="secondary" type="button" id="react" title="React with a heart to the business's last message">\u2764\ufe0f last reply</button>
    <button class="secondary" type="button" id="unsend" title="Unsend your last message">Unsend my last</button>
  </div>
  <p id="status" class="muted" role="status"></p>
</main>
<script>
(function () {
  var userSel = document.getElementById('user');
  var accountSel = document.getElementById('account');
  var thread = document.getElementById('thread');
  var statusEl = document.getElementById('status');
  function api(method, path, body) {
    return fetch('/_sandbox' + path, { method: method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || r.statusText); return j; }); });
  }
  function loadUsers(selectId) {
    return api('GET', '/instagram-users').then(function (res) {
      userSel.innerHTML = '';
      res.data.forEach(function (u) {
        var o = document.createElement('option'); o.value = u.id; o.textContent = '@' + u.username + ' (' + u.name + ')'; userSel.appendChild(o);
      });
      if (selectId) userSel.value = selectId;
    });
  }
  var lastMessages = [];
  function lastOf(direction) {
    for (var i = lastMessages.length - 1; i >= 0; i--) if (lastMessages[i].direction === direction && !lastMessages[i].deleted) return lastMessages[i];
    return undefined;
  }
  function actOn(direction, type, label) {
    var target = lastOf(direction);
    if (!target) { statusEl.textContent = 'No ' + label + ' yet'; return; }
    send({ type: type, mid: target.mid });
  }
  function render(messages) {
    lastMessages = messages;
    var atBottom = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 4;
    thread.innerHTML = '';
    messages.forEach(function (m) {
      var row = document.createElement('div');
      var mine = m.direction === 'inbound';
      row.style.cssText = 'display:flex;margin:4px 0;justify-content:' + (mine ? 'flex-end' : 'flex-start');
      var bubble = document.createElement('div');
      bubble.style.cssText = 'max-width:70%;padding:8px 12px;border-radius:16px;white-space:pre-wrap;word-break:break-word;' + (mine ? 'background:#3797f0;color:#fff' : 'background:#efefef');
      var text = m.deleted ? '(unsent)' : (m.text || (m.attachments && m.attachments.length ? '[' + m.attachments[0].type + ']' : '[unsupported]'));
      var reacted = m.reactions && Object.keys(m.reactions).length > 0;
      bubble.textContent = text + (m.numEdit ? ' (edited)' : '') + (reacted ? ' \u2764\ufe0f' : '');
      bubble.title = new Date(m.timestamp).toLocaleString() + (m.origin === 'instagram_app' ? ' — sent from the Instagram app' : '');
      row.appendChild(bubble); thread.appendChild(row);
    });
    if (atBottom) thread.scrollTop = thread.scrollHeight;
  }
  function refresh() {
    if (!userSel.value) return Promise.resolve();
    return api('GET', '/conversations/' + accountSel.value + '/' + userSel.value).then(function (res) { render(res.data); })
      .catch(function (e) { statusEl.textContent = e.message; });
  }
  function send(event) {
    event.user = userSel.value; event.account = accountSel.value;
    return api('POST', '/events', event).then(function (res) {
      var d = res.deliveries[0];
      statusEl.textContent = d && d.state === 'skipped' ? 'Not delivered: ' + d.reason : 'Sent — webhook ' + (d ? '#' + d.id + ' ' + d.state : '');
      return refresh();
    }).catch(function (e) { statusEl.textContent = e.message; });
  }
  document.getElementById('compose').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = document.getElementById('text');
    if (!input.value.trim()) return;
    send({ type: 'text', text: input.value }).then(function () { input.value = ''; });
  });
  document.getElementById('photo').addEventListener('click', function () { send({ type: 'image' }); });
  document.getElementById('seen').addEventListener('click', function () { actOn('outbound', 'read', 'reply from the business'); });
  document.getElementById('react').addEventListener('click', function () { actOn('outbound', 'reaction', 'reply from the business'); });
  document.getElementById('unsend').addEventListener('click', function () { actOn('inbound', 'unsend', 'message of yours'); });
  document.getElementById('new-user').addEventListener('submit', function (e) {
    e.preventDefault();
    api('POST', '/instagram-users', { username: document.getElementById('new-username').value, name: document.getElementById('new-name').value || undefined })
      .then(function (u) { return loadUsers(u.id); }).then(refresh).catch(function (err) { statusEl.textContent = err.message; });
  });
  userSel.addEventListener('change', refresh);
  accountSel.addEventListener('change', refresh);
  loadUsers().then(refresh);
  setInterval(refresh, 1500);
})();
</script>`,
  );
}

export function indexPage(ctx: SandboxContext): string {
  const v = ctx.config.graphVersion;
  return layout(
    'Meta sandbox',
    `<main>
  <h1>Meta sandbox</h1>
  <p>This server plays Meta for InstantChat: the Facebook Login dialog, the Graph API under <code>/${escapeHtml(v)}</code>,
  the Instagram Send API and signed webhooks to <code>${escapeHtml(ctx.sender.callbackUrl ?? '(no callback URL)')}</code>.</p>
  <ul>
    <li><a href="/instagram">Message a business as an Instagram user</a></li>
    <li><a href="/_sandbox/state">Sandbox state (JSON)</a></li>
    <li><a href="/_sandbox/webhooks/deliveries">Webhook deliveries (JSON)</a></li>
    <li><a href="/_sandbox/sent-messages">What the Send API received (JSON)</a></li>
  </ul>
</main>`,
  );
}
