/* Hotline web chat widget: <script src="https://GATEWAY/chat/widget.js" data-site="SITE"
   [data-identity-token="JWT" | data-identifier="ID" data-identifier-hash="HMAC"]></script>
   data-identity-token: the signed-in user, as a JWT the host site signed on its server. A token
   the gateway refuses (expired, forged) leaves the visitor anonymous; the status says why.
   Messages stay in localStorage until the gateway acks them (after Kafka acked); on reconnect
   unacked ones are resent with the same client id, so a resend never becomes a second event. */
(function () {
  "use strict";
  var script = document.currentScript;
  var site = script.dataset.site || "default";
  var src = new URL(script.src, location.href);
  var url = (src.protocol === "https:" ? "wss://" : "ws://") + src.host + "/chat/ws";
  var KEY = "hotline.widget." + site;
  var state = load();
  var ws = null, backoff = 200, welcomed = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(state)); }
  state.pending = state.pending || [];
  state.seen = state.seen || [];

  var box = document.createElement("div");
  box.id = "hotline-widget";
  box.style.cssText = "position:fixed;bottom:16px;right:16px;width:300px;font:14px sans-serif;" +
    "border:1px solid #ccc;border-radius:8px;background:#fff;padding:8px";
  box.innerHTML = '<div id="hotline-status">connecting</div><ul id="hotline-log" ' +
    'style="list-style:none;padding:0;max-height:240px;overflow:auto"></ul>' +
    '<div id="hotline-typing" hidden>agent is typing…</div>' +
    '<input id="hotline-input" placeholder="Type a message"><button id="hotline-send">Send</button>';
  document.body.appendChild(box);
  var log = box.querySelector("#hotline-log");

  function line(kind, id, text) {
    var li = document.getElementById("hotline-" + id) || document.createElement("li");
    li.id = "hotline-" + id;
    li.className = "hotline-" + kind;
    li.textContent = text;
    log.appendChild(li);
    return li;
  }
  function transmit(msg) {
    if (ws && welcomed && ws.readyState === 1) {
      var frame = { type: "message", client_id: msg.client_id, text: msg.text };
      if (msg.reply_id) { frame.reply_id = msg.reply_id; }
      ws.send(JSON.stringify(frame));
    }
  }
  function send(text, replyId) {
    if (!text || !text.trim()) { return null; }
    var rnd = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    var msg = { client_id: "c_" + rnd, text: text };
    if (replyId) { msg.reply_id = replyId; }
    state.pending.push(msg);
    save();
    line("pending", msg.client_id, text).dataset.state = "pending";
    transmit(msg);
    return msg.client_id;
  }
  /* A satisfaction survey: its choices as buttons under the question; a tap is sent like a
     message (acked, resent until acked) carrying the choice's reply id. */
  function rating(li, survey) {
    var row = document.createElement("div");
    row.className = "hotline-rating";
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", survey.question);
    survey.choices.forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = c.title;
      b.dataset.replyId = c.reply_id;
      b.onclick = function () {
        send(c.title, c.reply_id);
        row.dataset.rated = c.reply_id;
        row.querySelectorAll("button").forEach(function (o) {
          o.setAttribute("aria-pressed", String(o === b));
        });
      };
      row.appendChild(b);
    });
    li.appendChild(row);
  }
  var handlers = {
    welcome: function (m) {
      state.visitor_id = m.visitor_id; state.visitor_token = m.visitor_token; save();
      welcomed = true; backoff = 200;
      document.getElementById("hotline-status").textContent = m.verified ? "verified" : "online";
      state.pending.forEach(transmit);
    },
    ack: function (m) {
      state.pending = state.pending.filter(function (p) { return p.client_id !== m.client_id; });
      save();
      var li = document.getElementById("hotline-" + m.client_id);
      if (li) { li.className = "hotline-sent"; li.dataset.state = "acked"; }
    },
    reply: function (m) {
      if (state.seen.indexOf(m.reply_id) < 0) {
        var li = line("reply", m.reply_id, m.text);
        if (m.survey) { rating(li, m.survey); }
        state.seen.push(m.reply_id); state.seen = state.seen.slice(-200); save();
      }
      document.getElementById("hotline-typing").hidden = true;
      ws.send(JSON.stringify({ type: "seen", reply_ids: [m.reply_id] }));
    },
    typing: function (m) { document.getElementById("hotline-typing").hidden = !m.on; },
    error: function (m) {
      document.getElementById("hotline-status").textContent = m.error === "identity_rejected" ?
        "anonymous (identity " + m.reason + ")" : "error: " + m.error;
      if (m.retry) { setTimeout(function () { state.pending.forEach(transmit); }, 1000); }
    }
  };
  function connect() {
    welcomed = false;
    ws = new WebSocket(url);
    ws.onopen = function () {
      var hello = { type: "hello", site: site, visitor_id: state.visitor_id || null,
                    visitor_token: state.visitor_token || null };
      if (script.dataset.identityToken) {
        hello.identity_token = script.dataset.identityToken;
      } else if (script.dataset.identifier) {
        hello.identifier = script.dataset.identifier;
        hello.identifier_hash = script.dataset.identifierHash || "";
      }
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (handlers[m.type]) { handlers[m.type](m); }
    };
    ws.onclose = function (e) {
      welcomed = false;
      if (e.reason === "bad_visitor_token") {  // e.g. the site rotated its secret: start afresh
        delete state.visitor_id; delete state.visitor_token; save();
        setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 5000);
        return;
      }
      var refused = e.code === 4401 || e.code === 4404;  // 4404: no such site here
      document.getElementById("hotline-status").textContent =
        refused ? "refused: " + e.reason : "offline";
      if (!refused && e.code !== 4400) {
        setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 5000);
      }
    };
  }
  box.querySelector("#hotline-send").onclick = function () {
    var input = box.querySelector("#hotline-input");
    send(input.value); input.value = "";
  };
  box.querySelector("#hotline-input").onkeydown = function (e) {
    if (e.key === "Enter") { box.querySelector("#hotline-send").click(); }
  };
  state.pending.forEach(function (p) { line("pending", p.client_id, p.text); });
  window.HotlineWidget = { send: send, socket: function () { return ws; }, state: state };
  connect();
})();
