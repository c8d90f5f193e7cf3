/*
 * The attendant's console (issue 14): notices while the page is in the background, and keyboard shortcuts.
 *
 * Reads templates/admin/tickets/ticket/_console.html (#console) and, on the queue, the summary's
 * data-newest-waiting / data-newest-mine (kept fresh by realtime.js's live patch of #changelist); on the
 * conversation, the lines realtime.js places in #dialog. A notice is a count in the tab title, a short sound
 * (if the attendant keeps it on) and a desktop notification (once they allowed it, by a click on the routing
 * bar's "Ativar notificações": the permission is never asked on load). Each event has a key
 * ("waiting:<ticket>", "message:<id>"): it sounds and pops up once, in one tab, whatever tabs are open.
 * Texts are only ever inserted with textContent.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate =
    window.interpolate ||
    function (format, values) {
      return format.replace(/%s/g, function () { return String(values.shift()); });
    };
  var SEEN_KEY = "atende.console.notified";
  var SEEN_KEEP = 200;

  var QUEUE_LOCK = "atende-console-queue";

  var console_ = null;
  var unseen = 0;
  // Among the attendant's queue tabs, the one holding QUEUE_LOCK sounds and pops up; the others only count.
  var leader = false;
  var told = {};

  /* ---- Notices ---- */

  // Claims an event for this tab: false when this or another tab already told of it.
  function claim(key) {
    var seen;
    try {
      seen = JSON.parse(window.localStorage.getItem(SEEN_KEY) || "[]");
    } catch (error) {
      seen = [];
    }
    if (!Array.isArray(seen)) {
      seen = [];
    }
    if (seen.indexOf(key) !== -1) {
      return false;
    }
    seen.push(key);
    try {
      window.localStorage.setItem(SEEN_KEY, JSON.stringify(seen.slice(-SEEN_KEEP)));
    } catch (error) {
      // Storage full or refused: the tab still tells of the event once, itself.
    }
    return true;
  }

  var COUNT_PREFIX = /^\(\d+\) /;

  // The count leads the title, whatever else writes it (routing.js marks an offer or an overdue ticket there).
  function showCount() {
    var title = document.title.replace(COUNT_PREFIX, "");
    var wanted = unseen > 0 ? "(" + unseen + ") " + title : title;
    if (document.title !== wanted) {
      document.title = wanted;
    }
  }

  function keepCount() {
    var element = document.querySelector("title");
    if (element) {
      new MutationObserver(function () {
        if (unseen > 0 && !COUNT_PREFIX.test(document.title)) {
          showCount();
        }
      }).observe(element, { childList: true, characterData: true, subtree: true });
    }
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      var audio = new Context();
      var tone = audio.createOscillator();
      var volume = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = 880;
      volume.gain.value = 0.08;
      tone.connect(volume);
      volume.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.18);
      tone.onended = function () {
        if (typeof audio.close === "function") {
          audio.close();
        }
      };
    } catch (error) {
      // No audio device: the title and the notification still tell.
    }
  }

  function desktop(title, body, url) {
    if (!("Notification" in window) || window.Notification.permission !== "granted") {
      return;
    }
    try {
      var note = new window.Notification(title, { body: body, tag: "atende-console" });
      note.onclick = function () {
        window.focus();
        if (url) {
          location.href = url;
        }
        note.close();
      };
    } catch (error) {
      // Some browsers allow notifications from a service worker only: the title and the sound remain.
    }
  }

  function tell(key, title, body, url) {
    if (told[key] || !claim(key)) {
      return;
    }
    told[key] = true;
    if (console_.dataset.sound === "on") {
      beep();
    }
    desktop(title, body, url);
  }

  /*
   * `fromQueue`: the queue's leader tells; a conversation tells of its own ticket's message only while no queue
   * tab is open (the queue tells of it too). Web Locks are exact across tabs, where localStorage alone is not
   * (two tabs hearing the same event at once could both find the key unclaimed).
   */
  function notice(key, title, body, url, fromQueue) {
    if (!document.hidden) {
      return; // the attendant is looking: the page itself shows what changed
    }
    unseen += 1;
    showCount();
    if (fromQueue) {
      if (leader) {
        tell(key, title, body, url);
      }
      return;
    }
    if (!navigator.locks || typeof navigator.locks.query !== "function") {
      tell(key, title, body, url);
      return;
    }
    navigator.locks.query().then(function (state) {
      var queueOpen = (state.held || []).some(function (lock) {
        return lock.name === QUEUE_LOCK;
      });
      if (!queueOpen) {
        tell(key, title, body, url);
      }
    });
  }

  function lead() {
    if (!navigator.locks || typeof navigator.locks.request !== "function") {
      leader = true;
      return;
    }
    // Held while the tab lives; the next queue tab in line takes over when it closes.
    navigator.locks.request(QUEUE_LOCK, function () {
      leader = true;
      return new Promise(function () {});
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      unseen = 0;
      showCount();
    }
  });

  function ticketUrl(number) {
    return console_.dataset.queueUrl + encodeURIComponent(number) + "/change/";
  }

  // The queue: the summary's newest waiting ticket and newest requester message on the attendant's tickets.
  function watchQueue(summary) {
    var newestWaiting = Number(summary.dataset.newestWaiting) || 0;
    var newestMine = Number(summary.dataset.newestMine) || 0;
    new MutationObserver(function () {
      var waiting = Number(summary.dataset.newestWaiting) || 0;
      var mine = Number(summary.dataset.newestMine) || 0;
      if (waiting > newestWaiting) {
        notice(
          "waiting:" + waiting,
          gettext("Novo atendimento aguardando"),
          interpolate(gettext("Atendimento %s"), [waiting]),
          ticketUrl(waiting),
          true
        );
      }
      if (mine > newestMine) {
        notice(
          "message:" + mine,
          gettext("Nova mensagem"),
          gettext("Nova mensagem em um dos seus atendimentos."),
          "",
          true
        );
      }
      newestWaiting = Math.max(newestWaiting, waiting);
      newestMine = Math.max(newestMine, mine);
    }).observe(summary, { attributes: true, attributeFilter: ["data-newest-waiting", "data-newest-mine"] });
  }

  // The conversation of one of the attendant's tickets: a new line from the requester.
  function watchDialog(dialog) {
    var last = Number(dialog.dataset.lastId) || 0;
    var number = dialog.dataset.ticket;
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        Array.prototype.forEach.call(change.addedNodes, function (node) {
          var id = node.nodeType === 1 ? Number(node.getAttribute("data-id")) || 0 : 0;
          if (id > last && node.classList.contains("msg-requester")) {
            last = id;
            notice(
              "message:" + id,
              gettext("Nova mensagem"),
              interpolate(gettext("Nova mensagem no atendimento %s."), [number]),
              "",
              false
            );
          }
        });
      });
    }).observe(dialog, { childList: true });
  }

  /* ---- Sound on/off ---- */

  function say(text) {
    var state = document.getElementById("console-state");
    if (state) {
      state.textContent = text;
    }
  }

  function setUpSound(form) {
    var button = form.querySelector("#console-sound");
    var field = form.querySelector("input[name=sound]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var wanted = field.value;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          var on = Boolean(data.sound);
          console_.dataset.sound = on ? "on" : "off";
          button.setAttribute("aria-pressed", on ? "true" : "false");
          field.value = on ? "off" : "on";
          say(on ? gettext("Som de aviso ligado.") : gettext("Som de aviso desligado."));
        })
        .catch(function () {
          say(gettext("Não foi possível salvar. Tente novamente."));
          field.value = wanted;
        });
    });
  }

  /* ---- Keyboard shortcuts ---- */

  function typing(target) {
    if (!target || target === document.body) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
      return true;
    }
    return (
      target.tagName === "INPUT" && !/^(checkbox|radio|submit|button|reset|hidden|file)$/.test(target.type)
    );
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#result_list tbody tr"));
  }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("#result_list tbody tr") : null;
  }

  function focusRow(row) {
    var link = row && row.querySelector("a[href]");
    if (link) {
      link.focus();
      link.scrollIntoView({ block: "nearest" });
    }
  }

  function moveRow(step) {
    var list = rows();
    if (!list.length) {
      return false;
    }
    var index = list.indexOf(currentRow());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(index + step, 0), list.length - 1);
    focusRow(list[next]);
    return true;
  }

  function click(element) {
    if (element && !element.disabled) {
      element.click();
      return true;
    }
    return false;
  }

  function openKeys() {
    var dialog = document.getElementById("console-keys-dialog");
    if (dialog && !dialog.open && typeof dialog.showModal === "function") {
      dialog.showModal();
      return true;
    }
    return false;
  }

  var actions = {
    j: function () { return moveRow(1); },
    k: function () { return moveRow(-1); },
    o: function () {
      var row = currentRow();
      return click(row && row.querySelector("a[href]"));
    },
    a: function () {
      var row = currentRow();
      if (row) {
        return click(row.querySelector(".take-button"));
      }
      return click(document.getElementById("take-ticket"));
    },
    r: function () {
      var body = document.querySelector("#message-form textarea[name=body]");
      if (body && !body.disabled) {
        body.focus();
        return true;
      }
      return false;
    },
    f: function () {
      if (document.getElementById("changelist")) {
        return false;
      }
      location.href = console_.dataset.queueUrl;
      return true;
    },
    "?": openKeys,
  };

  document.addEventListener("keydown", function (event) {
    if (!console_ || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target) || (event.target.closest && event.target.closest("dialog[open]"))) {
      return;
    }
    var action = actions[event.key];
    if (action && action()) {
      event.preventDefault();
    }
  });

  function start() {
    console_ = document.getElementById("console");
    if (!console_) {
      return;
    }
    keepCount();
    var form = document.getElementById("console-sound-form");
    if (form) {
      setUpSound(form);
    }
    var keys = document.getElementById("console-keys");
    if (keys) {
      keys.addEventListener("click", openKeys);
    }
    var summary = document.getElementById("queue-summary");
    if (summary) {
      lead();
      watchQueue(summary);
    }
    var dialog = document.getElementById("dialog");
    if (dialog && console_.dataset.mine === "1") {
      watchDialog(dialog);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
