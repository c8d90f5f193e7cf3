/*
 * Sending without leaving the page, on both conversations (#message-form: the staff chat window and
 * the attendant's page in the admin). Without this script the form posts and the page reloads.
 *
 * Each text and each file is its own send, with a key made here (a random UUID): the line appears at
 * once as "Enviando…" and becomes the server's line (templates/tickets/_message.html) when saved. On
 * failure it says "Não enviado." with the reason and "Tentar novamente", which sends the same key
 * again: the server answers with the message it may already have saved, never a second one.
 * Files show their upload progress and can be cancelled. Nothing typed is ever stored in the browser
 * (a shared computer must not show it to the next person).
 * The box counts characters as the limit nears; a paste over it is announced, not cut.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return values[match.slice(2, -2)]; });
  };
  var TEXT_TIMEOUT = 30000;
  var FILE_TIMEOUT = 180000;
  var COUNTER_FROM = 0.9; // the counter shows from 90% of the limit

  var form = document.getElementById("message-form");
  var dialog = window.AtendeDialog;
  if (!form || !dialog || typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined") {
    return;
  }
  var textarea = form.querySelector("textarea[name=body]");
  var fileInput = form.querySelector("input[type=file][name=files]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var limit = textarea ? parseInt(textarea.getAttribute("maxlength"), 10) || 0 : 0;

  // One polite live region for what this script says (cancelled uploads, the counter's thresholds, a long paste).
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden send-announcer";
  announcer.setAttribute("role", "status");
  form.appendChild(announcer);

  function announce(text) {
    announcer.textContent = "";
    // A fresh text node after a tick, so the same text said twice is said again.
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function length(text) {
    return Array.from(text).length; // characters as the server counts them (code points)
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    }
    return bytes >= 1024 ? Math.round(bytes / 1024) + " KB" : bytes + " bytes";
  }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function button(text, label, onClick) {
    var control = node("button", "button msg-action", text);
    control.type = "button";
    if (label) {
      control.setAttribute("aria-label", label);
    }
    control.addEventListener("click", onClick);
    return control;
  }

  /* ---- one send: a text or one file ---- */

  function lineFor(item) {
    var line = node("li", "msg msg-pending msg-own" + (item.file ? " msg-kind-files" : ""));
    line.setAttribute("data-key", item.key);
    var body = node("p", "msg-body");
    if (item.file) {
      body.appendChild(node("span", "file-name", item.file.name));
      body.appendChild(document.createTextNode(" "));
      body.appendChild(node("span", "file-size", "(" + sizeText(item.file.size) + ")"));
    } else {
      String(item.body).split("\n").forEach(function (part, index) {
        if (index) {
          body.appendChild(document.createElement("br"));
        }
        body.appendChild(document.createTextNode(part));
      });
    }
    line.appendChild(body);
    if (item.file) {
      item.progress = node("progress", "upload-progress");
      item.progress.max = 100;
      item.progress.value = 0;
      item.progress.setAttribute("aria-label", interpolate(gettext("Envio de %(name)s"), { name: item.file.name }, true));
      line.appendChild(item.progress);
    }
    item.state = node("p", "msg-state");
    line.appendChild(item.state);
    item.actions = node("p", "msg-actions");
    line.appendChild(item.actions);
    return line;
  }

  function setActions(item, controls) {
    item.actions.textContent = "";
    controls.forEach(function (control) {
      item.actions.appendChild(control);
      item.actions.appendChild(document.createTextNode(" "));
    });
  }

  function sending(item) {
    item.line.classList.remove("msg-failed");
    item.state.removeAttribute("role");
    item.state.textContent = gettext("Enviando…");
    if (item.progress) {
      item.progress.value = 0;
      item.progress.hidden = false;
      setActions(item, [
        button(gettext("Cancelar"), interpolate(gettext("Cancelar o envio de %(name)s"), { name: item.file.name }, true), function () {
          item.cancelled = true;
          if (item.xhr) {
            item.xhr.abort();
          }
        }),
      ]);
    } else {
      setActions(item, []);
    }
  }

  function failed(item, reason) {
    item.xhr = null;
    item.line.classList.add("msg-failed");
    if (item.progress) {
      item.progress.hidden = true;
    }
    item.state.setAttribute("role", "alert");
    item.state.textContent = gettext("Não enviado.") + (reason ? " " + reason : "");
    var retry = button(gettext("Tentar novamente"), null, function () {
      send(item);
      textarea.focus();
    });
    var discard = button(gettext("Descartar"), null, function () {
      item.line.parentNode.removeChild(item.line);
      textarea.focus();
    });
    setActions(item, [retry, discard]);
  }

  function cancelled(item) {
    item.line.parentNode.removeChild(item.line);
    announce(interpolate(gettext("Envio de %(name)s cancelado."), { name: item.file.name }, true));
    textarea.focus();
  }

  function saved(item, messages) {
    item.xhr = null;
    messages.forEach(function (message) {
      dialog.insert(message.html, true);
    });
    // The saved line took the place of this one (same key); if the socket drew it first, this one goes too.
    if (item.line.parentNode) {
      item.line.parentNode.removeChild(item.line);
    }
  }

  function reasonOf(xhr) {
    // The entity's chat was switched off meanwhile: the page itself says so (and what to do), so show it.
    if (xhr.getResponseHeader("X-Atende-Chat-Off")) {
      location.reload();
    }
    var data = null;
    if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
      try {
        data = JSON.parse(xhr.responseText);
      } catch (error) {
        data = null;
      }
    }
    if (data && data.error) {
      return data.error;
    }
    // A session that ended meanwhile: the request was sent on to the login page, or refused (CSRF).
    var target = new URL(form.action, location.href).pathname;
    if (xhr.status === 403 || (xhr.responseURL && new URL(xhr.responseURL).pathname !== target)) {
      return gettext("Sua sessão terminou. Entre novamente para enviar; o texto continua aqui.");
    }
    if (xhr.status === 429) {
      return gettext("Muitos envios em pouco tempo. Aguarde um minuto e tente novamente.");
    }
    if (xhr.status === 413) {
      return gettext("O envio é grande demais.");
    }
    return interpolate(gettext("O servidor não conseguiu gravar agora (erro %(status)s)."), { status: xhr.status }, true);
  }

  function send(item) {
    sending(item);
    var data = new FormData();
    if (csrf) {
      data.append("csrfmiddlewaretoken", csrf.value);
    }
    data.append("client_key", item.key);
    data.append("body", item.file ? "" : item.body);
    if (item.file) {
      data.append("files", item.file, item.file.name);
    }
    var xhr = new XMLHttpRequest();
    item.xhr = xhr;
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = item.file ? FILE_TIMEOUT : TEXT_TIMEOUT;
    if (item.progress) {
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable && event.total) {
          item.progress.value = Math.round((event.loaded / event.total) * 100);
        }
      });
    }
    xhr.addEventListener("load", function () {
      var data = null;
      if (xhr.status === 200) {
        try {
          data = JSON.parse(xhr.responseText);
        } catch (error) {
          data = null;
        }
      }
      if (data && data.messages) {
        saved(item, data.messages);
      } else {
        failed(item, reasonOf(xhr));
      }
    });
    xhr.addEventListener("error", function () {
      failed(item, gettext("Sem conexão com o servidor."));
    });
    xhr.addEventListener("timeout", function () {
      failed(item, gettext("O servidor demorou demais para responder."));
    });
    xhr.addEventListener("abort", function () {
      if (item.cancelled) {
        cancelled(item);
      }
    });
    xhr.send(data);
  }

  function start(item) {
    item.key = newKey();
    item.line = lineFor(item);
    dialog.addPending(item.line);
    send(item);
  }

  /* ---- the form ---- */

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    // Locked by realtime.js (closed, or taken by a colleague): nothing is sent and the draft stays as it is.
    if (form.getAttribute("aria-disabled") === "true") {
      return;
    }
    var body = textarea ? textarea.value : "";
    var files = fileInput && fileInput.files ? Array.prototype.slice.call(fileInput.files) : [];
    if (!body.trim() && !files.length) {
      announce(gettext("Digite uma mensagem ou anexe um arquivo."));
      textarea.focus();
      return;
    }
    if (limit && length(body) > limit) {
      announce(overLimitText(length(body)));
      textarea.focus();
      return;
    }
    if (body.trim()) {
      start({ body: body });
    }
    files.forEach(function (file) {
      start({ file: file });
    });
    // The next message can be typed at once; what is being sent stays in its line until it is saved.
    form.reset();
    updateCounter();
    textarea.focus();
  });

  /* ---- the character counter (the limit comes from the box's maxlength, set from the server's limit) ---- */

  var counter = null;
  var lastBand = "";

  function overLimitText(count) {
    return interpolate(
      gettext("A mensagem tem %(count)s caracteres; o limite é %(limit)s. Encurte-a antes de enviar."),
      { count: count, limit: limit },
      true
    );
  }

  function updateCounter() {
    if (!counter) {
      return;
    }
    var count = length(textarea.value);
    var band = count > limit ? "over" : count >= limit * COUNTER_FROM ? "near" : "";
    counter.hidden = band === "";
    counter.classList.toggle("is-over", band === "over");
    counter.textContent = band === "over"
      ? overLimitText(count)
      : interpolate(gettext("%(count)s de %(limit)s caracteres"), { count: count, limit: limit }, true);
    if (band !== lastBand && band) {
      announce(counter.textContent);
    }
    lastBand = band;
  }

  if (textarea && limit) {
    // Nothing is cut silently: the box takes any length, and the counter says when it is too long.
    textarea.removeAttribute("maxlength");
    counter = node("p", "char-counter");
    counter.id = (textarea.id || "message-body") + "-counter";
    counter.hidden = true;
    textarea.insertAdjacentElement("afterend", counter);
    var described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    textarea.addEventListener("input", updateCounter);
    textarea.addEventListener("paste", function (event) {
      var pasted = event.clipboardData ? event.clipboardData.getData("text") : "";
      var selected = textarea.selectionEnd - textarea.selectionStart;
      var after = length(textarea.value) - selected + length(pasted);
      if (after > limit) {
        // Said once for the paste, after the input event has updated the counter.
        setTimeout(function () {
          lastBand = "over";
          announce(interpolate(
            gettext("O texto colado passa do limite de %(limit)s caracteres: a mensagem ficou com %(count)s. Encurte-a antes de enviar."),
            { count: length(textarea.value), limit: limit },
            true
          ));
        }, 0);
      }
    });
  }
})();
