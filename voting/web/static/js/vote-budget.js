// The vote page's live counters (the server checks everything again): the budget bar with what is spent and what
// remains, announced politely to screen readers; the points left on a cumulative ballot; a message beside the
// projects when more are chosen than the ballot allows. Without JavaScript, "Check my total" asks the server.
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form) return;
  var money = new Intl.NumberFormat(document.documentElement.lang === "fr" ? "fr-FR" : "en-GB",
    {style: "currency", currency: form.dataset.currency || "EUR", maximumFractionDigits: 0});
  var announceTimer = null;

  function say(region, text) {
    // one announcement after the voter pauses, not one per tick of a box
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { region.textContent = text; }, 250);
  }

  function markCards() {
    form.querySelectorAll(".project-card").forEach(function (card) {
      var control = card.querySelector("input[name=projects]");
      var points = card.querySelector("input.points");
      var chosen = control ? control.checked : (points ? Number(points.value) > 0 : false);
      card.classList.toggle("chosen", chosen);
    });
  }

  function budget() {
    var spent = document.getElementById("spent");
    if (!spent) return;
    var limit = Number(spent.dataset.budget);
    var total = 0;
    form.querySelectorAll("input[data-cost]:checked").forEach(function (box) { total += Number(box.dataset.cost); });
    spent.textContent = money.format(total);
    document.getElementById("remaining").textContent = money.format(limit - total);
    document.getElementById("over").hidden = total <= limit;
    var bar = document.getElementById("budget-bar");
    bar.value = Math.min(total, limit);
    bar.classList.toggle("over", total > limit);
    var announce = document.getElementById("budget-announce");
    var template = total > limit ? announce.dataset.over : announce.dataset.remaining;
    return {announce: announce, text: template.replace("{amount}", money.format(Math.abs(limit - total)))};
  }

  function points() {
    var given = document.getElementById("points-given");
    if (!given) return;
    var total = 0;
    form.querySelectorAll("input.points").forEach(function (input) { total += Math.max(0, Number(input.value) || 0); });
    var limit = Number(given.dataset.total);
    given.textContent = String(total);
    document.getElementById("points-left").textContent = String(limit - total);
    var status = document.getElementById("points-status");
    return {announce: status, text: status.dataset.left.replace("{n}", String(limit - total))};
  }

  function count() {
    var note = document.getElementById("count-note");
    var max = Number(form.dataset.maxProjects);
    if (!note || !max) return;
    var chosen = form.querySelectorAll("input[name=projects]:checked").length;
    note.hidden = chosen <= max;
    note.textContent = chosen > max ? form.dataset.tooMany : "";
  }

  function update(event) {
    markCards();
    count();
    var spoken = budget() || points();
    if (event && spoken) say(spoken.announce, spoken.text);
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("greenballot:filled", function () { update(null); });
  var check = document.getElementById("check-total");
  if (check) check.hidden = true;
  update(null);
})();
