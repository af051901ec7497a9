// The demo page: one column per persona, on Telegram or on Zalo. Bot
// messages arrive as HTML the server already made safe (demo.RenderHTML for
// Telegram's HTML, Zalo's plain text escaped whole); everything else goes
// in as text. No request leaves this server.
"use strict";

const T = {
  vi: { title: "Dân vận khéo — bản chạy thử", jump: "Nhảy thời gian:", lang: "English", send: "Gửi",
        placeholder: "Nhắn tin…", zaloPlaceholder: "Nhập tin nhắn hoặc số…", attach: "Gửi tệp (sao kê ngân hàng Excel hoặc CSV)", edited: "đã sửa", ran: "Đã chạy", failed: "Lỗi",
        jobs: { weekly_summary: "Tổng kết tuần", milestones: "Mốc chiến dịch", head_reminders: "Nhắc trưởng khu", resident_reminders: "Nhắc cư dân" } },
  en: { title: "Skilful mass mobilisation — demo", jump: "Jump in time:", lang: "Tiếng Việt", send: "Send",
        placeholder: "Message…", zaloPlaceholder: "Type a message or a number…", attach: "Send a file (a bank statement, Excel or CSV)", edited: "edited", ran: "Ran", failed: "Error",
        jobs: { weekly_summary: "Weekly summary", milestones: "Milestones", head_reminders: "Remind heads", resident_reminders: "Remind residents" } },
};
let lang = localStorage.getItem("danvan-demo-lang") || "vi";
let personas = [];
let jobs = [];
let token = ""; // the page's token, for uploads
const columns = new Map(); // persona key -> {log, lastJSON}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (token) opts.headers["X-Danvan-Token"] = token;
  if (body instanceof FormData) {
    opts.body = body; // the browser sets the multipart boundary
  } else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

function status(text) { document.getElementById("status").textContent = text; }

function applyLang() {
  const t = T[lang];
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach(e => { e.textContent = t[e.dataset.i18n]; });
  document.getElementById("lang").textContent = t.lang;
  const jobsEl = document.getElementById("jobs");
  jobsEl.replaceChildren();
  for (const name of jobs) {
    const b = el("button", "", t.jobs[name] || name);
    b.type = "button";
    b.dataset.job = name;
    b.addEventListener("click", () => runJob(name));
    jobsEl.append(b);
  }
  for (const p of personas) {
    const c = columns.get(p.key);
    if (!c) continue;
    c.title.textContent = lang === "vi" ? p.titleVi : p.titleEn;
    c.hint.textContent = lang === "vi" ? p.hintVi : p.hintEn;
    c.input.placeholder = p.channel === "zalo" ? t.zaloPlaceholder : t.placeholder;
    c.send.textContent = t.send;
    c.lastJSON = ""; // re-render for the "edited" label
    refresh(p.key);
  }
}

async function runJob(name) {
  try {
    const r = await api("POST", "/api/jobs/" + encodeURIComponent(name), {});
    status(T[lang].ran + ": " + r.output);
  } catch (e) { status(T[lang].failed + ": " + e.message); }
}

function buildColumn(p) {
  const zalo = p.channel === "zalo";
  const phone = el("section", zalo ? "phone zalo" : "phone");
  phone.dataset.persona = p.key;
  phone.dataset.channel = p.channel;
  const heading = el("h2");
  const title = el("span");
  // A Zalo chat says so: its bot writes plain text, lists to answer with
  // a number, no buttons.
  if (zalo) heading.append(el("span", "badge", "Zalo"));
  heading.append(title);
  const hint = el("div", "hint");
  const log = el("div", "log");
  const form = el("form");
  const input = el("input");
  input.name = "text";
  input.autocomplete = "off";
  const send = el("button");
  send.type = "submit";
  form.append(input, send);
  if (!p.group && !zalo) {
    // A file from the computer, as a treasurer sends a bank statement (a
    // Zalo bot receives no files).
    const pick = el("input");
    pick.type = "file";
    pick.accept = ".csv,.xlsx,text/csv,text/plain";
    pick.hidden = true;
    const attach = el("button", "attach", "📎");
    attach.type = "button";
    attach.title = T[lang].attach;
    attach.addEventListener("click", () => pick.click());
    pick.addEventListener("change", async () => {
      const f = pick.files[0];
      if (!f) return;
      const fd = new FormData();
      fd.append("persona", p.key);
      fd.append("file", f);
      try { await api("POST", "/api/send-file", fd); } catch (e) { status(T[lang].failed + ": " + e.message); }
      pick.value = "";
    });
    form.prepend(attach, pick);
  }
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      await api("POST", "/api/send", { persona: p.key, text });
      input.value = "";
    } catch (e) { status(T[lang].failed + ": " + e.message); }
  });
  phone.append(heading, hint, log, form);
  document.getElementById("columns").append(phone);
  columns.set(p.key, { log, title, hint, input, send, lastJSON: "" });
}

function renderMessage(p, m) {
  const box = el("div", "msg" + (m.mine ? " mine" : ""));
  box.dataset.id = m.id;
  if (p.group && !m.mine) box.append(el("div", "from", m.fromBot ? "danvan" : m.from));
  if (m.photo) {
    const img = el("img");
    img.src = m.photo;
    img.alt = "";
    box.append(img);
  }
  if (m.fileName && m.file) {
    const a = el("a", "file", "📎 " + m.fileName);
    a.href = m.file;
    a.download = m.fileName;
    box.append(a);
  } else if (m.fileName) box.append(el("div", "", "📎 " + m.fileName));
  const body = el("div", "body");
  // m.html is built by the server from Telegram HTML: only b, i, u, s,
  // code, pre and a (http/https/tg) survive; everything else is escaped.
  body.innerHTML = m.html;
  box.append(body);
  if (m.buttons && m.buttons.length) {
    const bs = el("div", "buttons");
    for (const row of m.buttons) {
      const r = el("div", "row");
      for (const b of row) {
        if (b.url) {
          const a = el("a", "", b.text);
          a.href = b.url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          r.append(a);
          continue;
        }
        const btn = el("button", "", b.text);
        btn.type = "button";
        btn.addEventListener("click", async () => {
          try { await api("POST", "/api/press", { persona: p.key, messageId: m.id, data: b.data }); }
          catch (e) { status(T[lang].failed + ": " + e.message); }
        });
        r.append(btn);
      }
      bs.append(r);
    }
    box.append(bs);
  }
  const time = new Date(m.time);
  let meta = time.toLocaleTimeString(lang === "vi" ? "vi-VN" : "en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
  if (m.edited) meta = T[lang].edited + " " + meta;
  box.append(el("div", "meta", meta));
  return box;
}

const pending = new Map();
function refresh(key) {
  if (pending.has(key)) return;
  pending.set(key, setTimeout(async () => {
    pending.delete(key);
    const p = personas.find(x => x.key === key);
    const c = columns.get(key);
    try {
      const r = await fetch("/api/chats/" + encodeURIComponent(key));
      const text = await r.text();
      if (text === c.lastJSON) return;
      c.lastJSON = text;
      const data = JSON.parse(text);
      const atBottom = c.log.scrollHeight - c.log.scrollTop - c.log.clientHeight < 40;
      c.log.replaceChildren(...data.messages.map(m => renderMessage(p, m)));
      if (atBottom || !c.scrolled) { c.log.scrollTop = c.log.scrollHeight; c.scrolled = true; }
    } catch (e) { status(T[lang].failed + ": " + e.message); }
  }, 80));
}

// chatKey is how the event stream names the persona's chat.
function chatKey(p) { return p.channel === "zalo" ? "zalo:" + p.zaloChatId : String(p.chatId); }

function listen() {
  const es = new EventSource("/api/events");
  es.onmessage = ev => {
    for (const p of personas) if (chatKey(p) === ev.data) refresh(p.key);
  };
  es.onopen = () => personas.forEach(p => refresh(p.key)); // catch up after a reconnect
}

document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "vi" ? "en" : "vi";
  localStorage.setItem("danvan-demo-lang", lang);
  applyLang();
});

(async () => {
  const data = await api("GET", "/api/personas");
  personas = data.personas;
  jobs = data.jobs || [];
  token = data.token;
  personas.forEach(buildColumn);
  applyLang();
  listen();
  setInterval(() => personas.forEach(p => refresh(p.key)), 10000); // a safety net under the event stream
})();
