/*
 * Issue 14 on a conversation page (the requester's and the attendant's): the other side typing and
 * "Visto" under the reader's own latest line. Reads tickets/_live_marks.html; the socket is
 * realtime.js's (window.AtendeConversation), whose "ticket.typing" / "ticket.seen" frames come here as
 * DOM events. Typing is sent at most once per TYPING_INTERVAL from the reply box only (never from the
 * internal note's box), and shown until TYPING_SILENCE passes without another or that side's line arrives.
 * Texts are inserted with textContent only.
 */
(function () {
  "use strict";

  var TYPING_INTERVAL = 2000; // tickets/consumers.py TYPING_INTERVAL: the server drops anything faster
  var TYPING_SILENCE = 5000; // issue 14: gone after 5 s of silence
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return values[match.slice(2, -2)]; });
  };

  function start() {
    var state = document.getElementById("live-marks");
    var indicator = document.getElementById("typing-indicator");
    var dialog = document.getElementById("dialog");
    if (!state || !indicator || !dialog) {
      return;
    }
    var own = state.getAttribute("data-own");
    var other = own === "attendant" ? "requester" : "attendant";
    var seen = { id: Number(state.getAttribute("data-read-id")) || 0, at: state.getAttribute("data-at") || "" };
    var hideTimer = null;

    function hideTyping() {
      clearTimeout(hideTimer);
      hideTimer = null;
      indicator.textContent = "";
    }

    // A reader at the bottom of the dialog stays there when "Visto" adds a line under the last message.
    var scroller = dialog.closest(".dialog-box") || dialog;
    function placeSeen() {
      var atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= 48;
      moveSeen();
      if (atBottom) {
        scroller.scrollTop = scroller.scrollHeight;
      }
    }

    function moveSeen() {
      var lines = dialog.querySelectorAll("li.msg-" + own + "[data-id]:not(.msg-kind-note)");
      var last = lines[lines.length - 1];
      var mark = document.getElementById("seen-mark");
      if (!last || Number(last.getAttribute("data-id")) > seen.id) {
        if (mark) {
          mark.parentNode.removeChild(mark);
        }
        return;
      }
      if (!mark) {
        mark = document.createElement("p");
        mark.id = "seen-mark";
        mark.className = "msg-seen";
      }
      // The attendant reads when; the requester reads only that it was seen.
      mark.textContent = own === "attendant" && seen.at
        ? interpolate(gettext("Visto às %(time)s"), { time: seen.at }, true)
        : gettext("Visto");
      if (mark.parentNode !== last) {
        last.appendChild(mark);
      }
    }

    document.addEventListener("atende:typing", function (event) {
      var data = event.detail || {};
      if (data.side !== other) {
        return;
      }
      indicator.textContent = interpolate(gettext("%(name)s está digitando\u2026"), { name: data.name || "" }, true);
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hideTyping, TYPING_SILENCE);
    });

    document.addEventListener("atende:seen", function (event) {
      var data = event.detail || {};
      if (data.side !== other) {
        return;
      }
      seen = { id: Number(data.read_id) || 0, at: data.at || "" };
      placeSeen();
    });

    document.addEventListener("atende:line", function (event) {
      var line = event.detail;
      if (line && line.classList.contains("msg-" + other) && !line.classList.contains("msg-kind-note")) {
        hideTyping();
      }
      placeSeen();
    });

    var form = document.getElementById("message-form");
    var reply = form && form.querySelector("textarea[name=body]");
    var sentAt = -Infinity;
    if (reply) {
      reply.addEventListener("input", function () {
        var now = Date.now();
        if (!reply.value.trim() || now - sentAt < TYPING_INTERVAL || !window.AtendeConversation) {
          return;
        }
        if (window.AtendeConversation.send({ type: "typing" })) {
          sentAt = now;
        }
      });
    }
    placeSeen();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
