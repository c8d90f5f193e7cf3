/*
 * Drop zone of S10: files chosen by click (the native picker, keyboard included) or dropped on the
 * area. Shows the chosen names, each with a button to take it out, and pre-checks size, extension,
 * emptiness and count with the server's own messages (read from the data-msg-* attributes, where
 * "{name}" stands for the file name). The server checks everything again and is the authority.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return values[match.slice(2, -2)]; });
  };
  var decimalSeparator = window.get_format ? window.get_format("DECIMAL_SEPARATOR") : ",";

  // Same rule as attachments/validators.py: an inner part of 1-4 letters/digits with a letter is an extension.
  var INNER_EXTENSION = /^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,4}$/;

  function message(zone, key, name) {
    return (zone.getAttribute("data-msg-" + key) || "").split("{name}").join(name);
  }

  function baseName(name) {
    var parts = String(name).split(/[\\/]/);
    return parts[parts.length - 1];
  }

  function problem(zone, file) {
    var name = baseName(file.name);
    var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10);
    var allowed = (zone.getAttribute("data-extensions") || "").split(",");
    if (file.size > maxBytes) {
      return message(zone, "too-big", name);
    }
    var dot = name.lastIndexOf(".");
    var extension = dot >= 0 ? name.slice(dot + 1).toLowerCase() : "";
    if (dot < 0 || allowed.indexOf(extension) < 0) {
      return message(zone, "type", name);
    }
    var stem = name.slice(0, dot);
    if (!stem.replace(/[. ]/g, "")) {
      return message(zone, "incomplete", name);
    }
    if (stem.split(".").slice(1).some(function (part) { return INNER_EXTENSION.test(part); })) {
      return message(zone, "double", name);
    }
    if (file.size === 0) {
      return message(zone, "empty", name);
    }
    return null;
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1).replace(".", decimalSeparator) + " MB";
    }
    if (bytes >= 1024) {
      return Math.round(bytes / 1024) + " KB";
    }
    return bytes + " bytes";
  }

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  function setup(zone) {
    if (zone.getAttribute("data-dropzone-ready")) {
      return;
    }
    zone.setAttribute("data-dropzone-ready", "1");
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-dropzone-files]");
    var errorBox = zone.querySelector("[data-dropzone-errors]");
    var chosen = [];

    function render(errors) {
      list.textContent = "";
      chosen.forEach(function (file, index) {
        var item = document.createElement("li");
        var label = document.createElement("span");
        label.className = "dropzone-file-name";
        label.textContent = baseName(file.name) + " (" + sizeText(file.size) + ")";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "dropzone-remove";
        remove.textContent = gettext("Remover");
        remove.setAttribute("aria-label", interpolate(gettext("Remover %(name)s"), { name: baseName(file.name) }, true));
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          sync();
          render([]);
          input.focus();
        });
        item.appendChild(label);
        item.appendChild(remove);
        list.appendChild(item);
      });
      errorBox.textContent = "";
      errors.forEach(function (text) {
        var line = document.createElement("p");
        line.textContent = text;
        errorBox.appendChild(line);
      });
    }

    function sync() {
      // The input keeps exactly the accepted files, so a normal form submit sends them.
      if (typeof DataTransfer === "undefined") {
        return;
      }
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    }

    function add(files, keepPrevious) {
      var maxFiles = parseInt(zone.getAttribute("data-max-files"), 10);
      var errors = [];
      if (!keepPrevious) {
        chosen = [];
      }
      Array.prototype.forEach.call(files, function (file) {
        var text = problem(zone, file);
        if (text) {
          errors.push(text);
        } else if (!chosen.some(function (other) { return sameFile(other, file); })) {
          chosen.push(file);
        }
      });
      if (chosen.length > maxFiles) {
        chosen = chosen.slice(0, maxFiles);
        errors.push(zone.getAttribute("data-msg-too-many"));
      }
      sync();
      render(errors);
    }

    input.addEventListener("change", function () {
      // The picker replaces the selection; what was dropped before stays chosen.
      add(input.files, true);
    });

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        if (event.dataTransfer) {
          event.dataTransfer.dropEffect = "copy";
        }
        zone.classList.add("is-dragover");
      });
    });
    zone.addEventListener("dragleave", function (event) {
      if (!zone.contains(event.relatedTarget)) {
        zone.classList.remove("is-dragover");
      }
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        add(event.dataTransfer.files, true);
      }
    });

    if (input.form) {
      input.form.addEventListener("reset", function () {
        chosen = [];
        render([]);
      });
    }
  }

  function init(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-dropzone]"), setup);
  }

  window.AtendeDropzone = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
