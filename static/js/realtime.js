/*
 * Atende Chat real time: the toolbar badge, the open conversation and the admin queue over websockets.
 *
 * Reads the shared markup contract (docs/realtime.md): body[data-person] opens /ws/toolbar/,
 * ol#dialog[data-ws] opens the conversation, #queue-live[data-ws] opens the queue.
 * The database is the truth: on every (re)connect the page sends the last message id it shows
 * and the server replays what is newer. A message arrives as its line rendered by the server
 * (templates/tickets/_message.html, escaped there); dialog.js places it, keyed by data-id, so none
 * shows twice. Texts of this script are only ever inserted with textContent.
 */
(function () {
  "use strict";

  var CLOSE_RENEW = 4000; // the server renews old sockets: reconnect at once
  var CLOSE_SESSION_ENDED = 4401; // logged out: reload, the server sends the login page
  var CLOSE_FORBIDDEN = 4403; // not allowed: do not retry
  var CLOSE_THROTTLED = 4429; // too many frames: wait the longest back-off, never retry at once
  var FIRST_DELAY = 1000;
  var MAX_DELAY = 30000;
  var STATUS_GRACE = 1500; // a quick renewal does not flash "Reconectando…"
  var QUEUE_DEBOUNCE = 500;
  // The JavaScript catalogue (/i18n/js/, loaded before this file) translates; without it, the Portuguese source stays.
  var gettext = window.gettext || function (text) { return text; };
  var RECONNECTING = gettext("Reconectando\u2026");

  var downSockets = 0;
  var statusTimer = null;

  // The page is already on its way somewhere (a link, a form such as "Sair" in this very tab): a reload on
  // hearing the session end would replace that navigation mid-flight. Let it finish; if it never does
  // (a cancelled navigation, a download), reload after a grace period after all.
  var leavingSince = 0;
  var LEAVING_GRACE = 5000;
  window.addEventListener("beforeunload", function () { leavingSince = Date.now(); });
  window.addEventListener("pageshow", function () { leavingSince = 0; });

  function reloadForLogin() {
    var wait = leavingSince ? LEAVING_GRACE - (Date.now() - leavingSince) : 0;
    if (wait > 0) {
      setTimeout(reloadForLogin, wait);
      return;
    }
    location.reload();
  }

  function showStatus() {
    var status = document.getElementById("connection-status");
    if (!status) {
      return;
    }
    clearTimeout(statusTimer);
    if (downSockets > 0) {
      statusTimer = setTimeout(function () {
        status.textContent = status.getAttribute("data-down-text") || RECONNECTING;
        status.hidden = false;
      }, STATUS_GRACE);
    } else {
      status.hidden = true;
    }
  }

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  // Exponential back-off with jitter: half the step is fixed, half random, so that a whole
  // municipality reconnecting after a deploy does not arrive in one wave.
  function backoff(attempt) {
    var step = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, attempt));
    return step / 2 + Math.random() * (step / 2);
  }

  /*
   * One self-healing socket. `handlers[type](data, isReconnect)` receives the server's frames;
   * `lastId()` gives what to resume from.
   */
  function live(path, handlers, lastId) {
    var attempt = 0;
    var timer = null;
    var down = false;
    var everOpened = false;
    var socket = null;

    function setDown(value) {
      if (value !== down) {
        down = value;
        downSockets += value ? 1 : -1;
        showStatus();
      }
    }

    function connect() {
      timer = null;
      socket = new WebSocket(socketURL(path));
      var reconnect = everOpened;
      socket.addEventListener("message", function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (!data || typeof data.type !== "string") {
          return;
        }
        if (data.type === "hello") {
          attempt = 0;
          everOpened = true;
          setDown(false);
          socket.send(JSON.stringify({ type: "resume", last_id: lastId ? lastId() : 0 }));
        }
        if (data.type === "resumed" && data.more) {
          // The server replays a bounded number of messages per answer: ask for the rest.
          socket.send(JSON.stringify({ type: "resume", last_id: data.last_id }));
        }
        var handler = handlers[data.type];
        if (handler) {
          handler(data, reconnect);
        }
      });
      socket.addEventListener("close", function (event) {
        socket = null;
        if (event.code === CLOSE_FORBIDDEN) {
          setDown(false);
          return;
        }
        if (event.code === CLOSE_SESSION_ENDED) {
          reloadForLogin();
          return;
        }
        setDown(true);
        if (event.code === CLOSE_THROTTLED) {
          attempt = Math.max(attempt, 5);
        }
        timer = setTimeout(connect, event.code === CLOSE_RENEW ? 0 : backoff(attempt++));
      });
    }

    // Back on the network: try now rather than at the end of the back-off.
    window.addEventListener("online", function () {
      if (timer !== null) {
        clearTimeout(timer);
        connect();
      }
    });

    connect();
    return {
      // Whether the frame went out (a socket that is reconnecting drops it).
      send: function (data) {
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify(data));
          return true;
        }
        return false;
      },
    };
  }

  /* ---- Toolbar: the red badge (set from the server's count) and the panel ---- */

  function setBadge(count) {
    var api = window.AtendeChat;
    if (api && typeof api.setBadge === "function") {
      api.setBadge(count);
      return;
    }
    var badge = document.getElementById("chat-badge");
    if (badge) {
      badge.textContent = String(count);
      badge.hidden = count === 0;
    }
  }

  function refreshPanel() {
    var api = window.AtendeChat;
    if (api && typeof api.refreshPanel === "function") {
      api.refreshPanel();
    }
  }

  function startToolbar() {
    live("/ws/toolbar/", {
      hello: function (data) {
        setBadge(data.unread);
      },
      "person.badge": function (data) {
        setBadge(data.unread);
      },
      "person.tickets": refreshPanel,
      resumed: function (data, reconnect) {
        // The panel may have changed while the socket was down.
        if (reconnect) {
          refreshPanel();
        }
      },
    });
  }

  /* ---- Conversation: live messages, in id order, each once; the status ---- */

  function relay(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function startConversation(dialog) {
    var channel = null;
    var readTimer = null;

    // dialog.js (loaded before this file) places the lines.
    var lines = window.AtendeDialog;

    function lastShown() {
      return lines ? lines.lastId() : Number(dialog.dataset.lastId) || 0;
    }

    // What the page shows while it is visible is read: the badge clears on every page (S12, S14).
    function markRead() {
      clearTimeout(readTimer);
      readTimer = setTimeout(function () {
        if (document.visibilityState === "visible" && channel) {
          channel.send({ type: "read", up_to: lastShown() });
        }
      }, 300);
    }

    // The line comes rendered by the server (templates/tickets/_message.html): the one renderer of a line.
    function append(message) {
      if (lines && lines.insert(message.html, false)) {
        markRead();
      }
    }

    function showStatusOf(ticket) {
      var status = document.getElementById("ticket-status");
      if (status && ticket.status_display) {
        status.textContent = gettext(ticket.status_display);
      }
      var form = document.getElementById("message-form");
      if (form) {
        // An attendant's page opened before a colleague took the ticket: locked, the draft kept (readonly, not emptied).
        var me = form.getAttribute("data-me");
        var taken = Boolean(me && ticket.attendant_id && String(ticket.attendant_id) !== me);
        var locked = Boolean(ticket.closed) || taken;
        Array.prototype.forEach.call(form.elements, function (control) {
          if (control.tagName === "TEXTAREA") {
            control.readOnly = locked;
            control.setAttribute("aria-readonly", locked ? "true" : "false");
          } else {
            control.disabled = locked;
          }
        });
        form.setAttribute("aria-disabled", locked ? "true" : "false");
        var notice = document.getElementById("holder-changed");
        if (notice && taken) {
          // The text comes translated by the page; only the name is put in (as text, never as HTML).
          var text = notice.getAttribute("data-text").replace("%s", ticket.attendant_name || "");
          if (notice.textContent !== text) {
            notice.textContent = text;
          }
          notice.hidden = false;
        }
      }
    }

    channel = live(
      dialog.dataset.ws,
      {
        hello: function (data) {
          showStatusOf(data.ticket);
        },
        "ticket.message": function (data) {
          append(data.message);
        },
        "ticket.status": function (data) {
          showStatusOf(data.ticket);
        },
        // Issue 14: typing and read marks, drawn by marks.js (never stored, never in the dialog's ids).
        "ticket.typing": function (data) {
          relay("atende:typing", data);
        },
        "ticket.seen": function (data) {
          relay("atende:seen", data.seen);
        },
      },
      lastShown
    );
    window.AtendeConversation = {
      send: function (data) {
        return channel.send(data);
      },
    };
    document.addEventListener("visibilitychange", markRead);
  }

  /* ---- Admin queue: refetch the page and patch the list in place ---- */

  /*
   * A small keyed morph (the idea of idiomorph / morphdom): nodes that are still there are kept and
   * updated, so the keyboard focus, the scroll position and everything the page's scripts attached
   * to them survive a live update. Replacing the list instead sent a keyboard user's focus back to
   * the top of the page at every change of the queue.
   */
  function nodeKey(node) {
    if (node.nodeType !== 1) {
      return null;
    }
    if (node.id) {
      return "#" + node.id;
    }
    if (node.tagName === "TR") {
      // Django's changelist rows carry no id: the row's checkbox or its first link names the ticket.
      var box = node.querySelector("input.action-select");
      if (box) {
        return "row:" + box.value;
      }
      var link = node.querySelector("a[href]");
      return link ? "row:" + link.getAttribute("href") : null;
    }
    return null;
  }

  function sameKind(current, fresh) {
    return (
      current.nodeType === fresh.nodeType && current.nodeName === fresh.nodeName && nodeKey(current) === nodeKey(fresh)
    );
  }

  // Whether a filter section is open is the attendant's choice, not the server's.
  function userOwned(node, name) {
    return name.indexOf("data-") === 0 || (node.tagName === "DETAILS" && name === "open");
  }

  function syncAttributes(current, fresh) {
    Array.prototype.forEach.call(fresh.attributes, function (attribute) {
      if (current.tagName === "DETAILS" && attribute.name === "open") {
        return;
      }
      if (current.getAttribute(attribute.name) !== attribute.value) {
        current.setAttribute(attribute.name, attribute.value);
      }
    });
    // data-* attributes belong to the page's scripts (state they keep on a node): only the server's
    // own attributes are taken away when it stops sending them.
    Array.prototype.slice.call(current.attributes).forEach(function (attribute) {
      if (!fresh.hasAttribute(attribute.name) && !userOwned(current, attribute.name)) {
        current.removeAttribute(attribute.name);
      }
    });
  }

  function morphNode(current, fresh) {
    if (current.nodeType !== 1) {
      if (current.nodeValue !== fresh.nodeValue) {
        current.nodeValue = fresh.nodeValue;
      }
      return;
    }
    syncAttributes(current, fresh);
    if (current.tagName === "TEXTAREA" || current.tagName === "SELECT") {
      return; // what the attendant typed or chose is theirs
    }
    if (current.tagName === "INPUT") {
      if (current.type === "hidden") {
        current.value = fresh.value;
      }
      return;
    }
    morphChildren(current, fresh);
  }

  function morphChildren(parent, freshParent) {
    var cursor = parent.firstChild;
    Array.prototype.slice.call(freshParent.childNodes).forEach(function (fresh) {
      var match = null;
      var key = nodeKey(fresh);
      if (cursor && sameKind(cursor, fresh)) {
        match = cursor;
      } else if (key) {
        for (var node = cursor; node; node = node.nextSibling) {
          if (sameKind(node, fresh)) {
            match = node;
            break;
          }
        }
      }
      if (match) {
        if (match !== cursor) {
          parent.insertBefore(match, cursor); // a row that moved up the queue
        }
        morphNode(match, fresh);
        cursor = match.nextSibling;
      } else {
        parent.insertBefore(document.importNode(fresh, true), cursor);
      }
    });
    while (cursor) {
      var next = cursor.nextSibling;
      parent.removeChild(cursor);
      cursor = next;
    }
  }

  // The control at the same place in the list, for a focus whose row left the queue.
  function focusNear(list, row, column) {
    var rows = list.querySelectorAll("#result_list tbody tr");
    var target = rows[Math.min(row, rows.length - 1)];
    var controls = target ? target.querySelectorAll("a[href], button, input:not([type=hidden])") : [];
    var control = controls[Math.min(column, controls.length - 1)] || document.getElementById("result_list");
    if (control) {
      if (control.tabIndex < 0 && !control.hasAttribute("tabindex")) {
        control.setAttribute("tabindex", "-1");
      }
      control.focus({ preventScroll: true });
    }
  }

  function startQueue(holder) {
    var timer = null;

    function currentList() {
      return (
        document.getElementById("changelist") ||
        document.getElementById("changelist-form") ||
        document.getElementById("result_list")
      );
    }

    // Patching the list under an attendant who is selecting rows or typing would lose their work.
    function inUse(list) {
      if (list.querySelector("input.action-select:checked")) {
        return true;
      }
      // Typing or choosing in a field of the list (a focused checkbox or button is not work in progress).
      var active = document.activeElement;
      if (!active || !list.contains(active)) {
        return false;
      }
      var typing = active.tagName === "INPUT" && !/^(checkbox|radio|submit|button|reset|hidden)$/.test(active.type);
      return typing || active.tagName === "SELECT" || active.tagName === "TEXTAREA";
    }

    function patch(current, fresh) {
      var active = document.activeElement;
      var focusedRow = -1;
      var focusedColumn = 0;
      if (active && current.contains(active)) {
        var row = active.closest("#result_list tbody tr");
        if (row) {
          focusedRow = Array.prototype.indexOf.call(row.parentNode.children, row);
          focusedColumn = Array.prototype.indexOf.call(
            row.querySelectorAll("a[href], button, input:not([type=hidden])"),
            active
          );
        }
      }
      var boxesBefore = Array.prototype.slice.call(current.querySelectorAll("tr input.action-select"));
      var scrollX = window.scrollX;
      var scrollY = window.scrollY;

      morphNode(current, fresh);

      if (active && active !== document.body && !document.contains(active) && focusedRow >= 0) {
        focusNear(current, focusedRow, Math.max(focusedColumn, 0));
      } else if (active && document.contains(active) && document.activeElement !== active) {
        active.focus({ preventScroll: true }); // a row that moved lost the focus on the way
      }
      window.scrollTo(scrollX, scrollY);
      // Django's actions.js binds to the rows it found: bind it again when rows came or went.
      var boxes = current.querySelectorAll("tr input.action-select");
      var changed =
        boxes.length !== boxesBefore.length ||
        Array.prototype.some.call(boxes, function (box, index) {
          return box !== boxesBefore[index];
        });
      if (changed && boxes.length && typeof window.Actions === "function") {
        window.Actions(boxes);
      }
    }

    function refetch() {
      timer = null;
      var list = currentList();
      if (!list) {
        return;
      }
      if (inUse(list)) {
        schedule(2000);
        return;
      }
      fetch(location.href, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var current = currentList();
          var fresh = current && new DOMParser().parseFromString(html, "text/html").getElementById(current.id);
          if (!fresh || inUse(current)) {
            return;
          }
          patch(current, fresh);
        })
        .catch(function () {
          schedule(5000);
        });
    }

    function schedule(delay) {
      if (timer === null) {
        timer = setTimeout(refetch, delay);
      }
    }

    live(holder.dataset.ws, {
      "queue.changed": function () {
        schedule(QUEUE_DEBOUNCE);
      },
      // Whatever changed while the socket was down, or between the page load and the join.
      resumed: function () {
        schedule(QUEUE_DEBOUNCE);
      },
    });
  }

  function start() {
    if (typeof WebSocket === "undefined") {
      return; // the five-minute refresh and "Atualizar" remain (S13)
    }
    if (document.body.dataset.person) {
      startToolbar();
    }
    var dialog = document.getElementById("dialog");
    if (dialog && dialog.dataset.ws) {
      startConversation(dialog);
    }
    var queue = document.getElementById("queue-live");
    if (queue && queue.dataset.ws) {
      startQueue(queue);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
