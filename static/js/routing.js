/*
 * Atende Chat routing (routing/): the requester's place in the queue and the attendant's offers.
 *
 * Staff pages (body[data-person]): /ws/espera/ sends the person's waiting tickets with their place
 * and estimate, already written in the page's language; they fill [data-wait-position="N"] on the
 * conversation and a line under the status of the panel's row N (again after each panel refresh).
 * Admin pages (#routing-bar): the bar (availability, offers) is fetched from the server and fetched
 * again when /ws/roteamento/ says the offers changed; a new offer or a ticket waiting too long
 * plays a short tone (WebAudio, no file), marks the title and shows a notification if allowed.
 * Server text only; nothing typed by a user is inserted as HTML.
 */
(function () {
  "use strict";

  var CLOSE_SESSION_ENDED = 4401;
  var CLOSE_FORBIDDEN = 4403;
  var CLOSE_THROTTLED = 4429;
  var FIRST_DELAY = 1000;
  var MAX_DELAY = 30000;

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function backoff(attempt) {
    var step = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, attempt));
    return step / 2 + Math.random() * (step / 2);
  }

  // One self-healing socket: `onFrame(data)` for each frame, `onOpen()` after every (re)connect.
  // Returns `send(data)`, which sends on the socket when it is open and drops the frame otherwise.
  function live(path, onFrame, onOpen) {
    var attempt = 0;
    var socket = null;
    function connect() {
      socket = new WebSocket(socketURL(path));
      socket.onopen = function () {
        attempt = 0;
        if (onOpen) {
          onOpen();
        }
      };
      socket.onmessage = function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        onFrame(data);
      };
      socket.onclose = function (event) {
        if (event.code === CLOSE_FORBIDDEN || event.code === CLOSE_SESSION_ENDED) {
          return;
        }
        var delay = event.code === CLOSE_THROTTLED ? MAX_DELAY : backoff(attempt);
        attempt += 1;
        setTimeout(connect, event.code === 4000 ? 0 : delay);
      };
    }
    connect();
    return function send(data) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(data));
      }
    };
  }

  // --- the requester: place in the queue and estimate -------------------------------------

  var positions = {};

  function lineText(item) {
    return item.estimate ? item.text + " \u2014 " + item.estimate : item.text;
  }

  function applyPositions() {
    document.querySelectorAll("[data-wait-position]").forEach(function (element) {
      var item = positions[element.getAttribute("data-wait-position")];
      var text = item ? lineText(item) : "";
      if (element.textContent !== text) {
        element.textContent = text;
      }
      element.hidden = !item;
    });
    document.querySelectorAll("tr.ticket-row[data-number]").forEach(function (row) {
      var item = positions[row.getAttribute("data-number")];
      var cell = row.cells[1];
      if (!cell) {
        return;
      }
      var line = cell.querySelector(".wait-position-cell");
      if (!item) {
        if (line) {
          line.remove();
        }
        return;
      }
      if (!line) {
        line = document.createElement("span");
        line.className = "wait-position-cell";
        cell.appendChild(line);
      }
      if (line.textContent !== lineText(item)) {
        line.textContent = lineText(item);
      }
    });
  }

  function startRequester() {
    live("/ws/espera/", function (data) {
      if (data.type !== "hello" && data.type !== "routing.position") {
        return;
      }
      positions = {};
      (data.tickets || []).forEach(function (item) {
        positions[String(item.number)] = item;
      });
      applyPositions();
    });
    // The panel is redrawn by chat.js/realtime.js: put the lines back on its new rows.
    var panel = document.getElementById("chat-panel") || document.body;
    new MutationObserver(function () {
      applyPositions();
    }).observe(panel, { childList: true, subtree: true });
  }

  // --- the attendant: availability, offers, alerts -----------------------------------------

  var audio = null;

  function tone(bar) {
    bar.setAttribute("data-tones", String(Number(bar.getAttribute("data-tones") || "0") + 1));
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      audio = audio || new Context();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.4);
    } catch (error) {
      // No sound device, or the browser wants a gesture first: the bar and the title still tell.
    }
  }

  function notify(bar, body) {
    if (!("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    try {
      new Notification(bar.getAttribute("data-notify-title"), { body: body, tag: "atende-chat-routing" });
    } catch (error) {
      // Some browsers allow notifications only from a service worker: the title and the tone remain.
    }
  }

  var baseTitle = document.title;

  function markTitle(bar) {
    var prefix = "(!) " + bar.getAttribute("data-title-alert") + " \u2014 ";
    if (document.title.indexOf(prefix) !== 0) {
      document.title = prefix + baseTitle;
    }
  }

  function refreshBar(bar) {
    return fetch(bar.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        bar.replaceChildren(template.content);
        var next = bar.querySelector("[data-routing-next]");
        if (next) {
          next.value = location.pathname + location.search;
        }
        var enable = bar.querySelector("[data-routing-notify]");
        if (enable && "Notification" in window && Notification.permission === "default") {
          enable.hidden = false;
          enable.addEventListener("click", function () {
            Notification.requestPermission().then(function () {
              enable.hidden = true;
            });
          });
        }
        bar.hidden = false;
      })
      .catch(function () {
        bar.hidden = true;
      });
  }

  function startAttendant(bar) {
    refreshBar(bar);
    // A gesture lets the tone play later (autoplay rules).
    document.addEventListener("pointerdown", function () {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !audio) {
        audio = new Context();
      }
    }, { once: true });
    window.addEventListener("focus", function () {
      document.title = baseTitle;
    });
    var send = live("/ws/roteamento/", function (data) {
      if (data.type === "routing.offer") {
        refreshBar(bar);
        tone(bar);
        markTitle(bar);
        notify(bar, bar.getAttribute("data-offer-body"));
      } else if (data.type === "routing.offers") {
        refreshBar(bar);
      } else if (data.type === "attendant.notice") {
        // A transfer to this attendant, a colleague asking for one of theirs, a take-over (tickets.Handoff).
        refreshBar(bar);
        tone(bar);
        markTitle(bar);
        notify(bar, bar.getAttribute("data-notice-body"));
      } else if (data.type === "routing.overdue") {
        tone(bar);
        markTitle(bar);
        notify(bar, bar.getAttribute("data-notify-body"));
      }
    }, function () {
      refreshBar(bar);
    });
    // Presence: input on the page keeps the attendant "Disponível" (ATTENDANT_IDLE_SECONDS), told at most once a minute.
    var lastActive = 0;
    function active() {
      var now = Date.now();
      if (now - lastActive > 60000) {
        lastActive = now;
        send({ type: "active" });
      }
    }
    ["keydown", "pointerdown", "input"].forEach(function (name) {
      document.addEventListener(name, active, { passive: true });
    });
  }

  function start() {
    var bar = document.getElementById("routing-bar");
    if (bar) {
      startAttendant(bar);
    } else if (document.body.hasAttribute("data-person")) {
      startRequester();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
