// Remembers, in this browser tab only, the last vote this voter cast on a ballot, to fill it in when they change
// their vote. The server cannot do it: votes are sealed in envelopes that only the close opens (ballots/envelopes.py),
// so nothing it can read tells it what a voter chose. sessionStorage ends with the tab, and its key
// (data-memory) is derived from the ballot and the account, so another resident using the same tab sees nothing.
// It also moves the focus to the receipt once a vote is recorded.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }

  function read(key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  // The review page: what is about to be cast waits as "pending" until a receipt proves it was recorded.
  var confirm = document.getElementById("confirm-form");
  if (confirm) {
    confirm.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.value !== "vote") return;
      var fields = [];
      confirm.querySelectorAll("input[type=hidden]").forEach(function (input) {
        if (/^(projects|points_\d+|rank_\d+)$/.test(input.name)) fields.push([input.name, input.value]);
      });
      store.setItem(confirm.dataset.memory + ".pending", JSON.stringify(fields));
    });
  }

  // The receipt: the pending choice is now the vote; the focus goes to the receipt (screen readers read it).
  var receipt = document.getElementById("receipt");
  if (receipt) {
    var key = receipt.dataset.memory;
    var pending = store.getItem(key + ".pending");
    if (pending !== null) {
      store.setItem(key, pending);
      store.removeItem(key + ".pending");
    }
    receipt.focus();
  }

  // The vote page opened afresh: fill in the last vote cast from this tab.
  var form = document.getElementById("vote-form");
  if (form && form.dataset.prefilled === "0") {
    var fields = read(form.dataset.memory);
    if (!Array.isArray(fields) || fields.length === 0) return;
    var filled = false;
    fields.forEach(function (pair) {
      var name = String(pair[0]), value = String(pair[1]);
      if (name === "projects") {
        form.querySelectorAll("input[name=projects]").forEach(function (box) {
          if (box.value === value) { box.checked = true; filled = true; }
        });
      } else {
        var control = form.elements.namedItem(name);
        if (control && "value" in control) { control.value = value; filled = true; }
      }
    });
    if (filled) {
      document.getElementById("memory-note").hidden = false;
      form.dispatchEvent(new Event("greenballot:filled"));
    }
  }
})();
