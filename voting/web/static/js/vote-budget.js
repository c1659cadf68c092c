// The vote page's running total: spent, remaining and 'over budget' as boxes are ticked (the server checks again).
(function () {
  var form = document.getElementById("vote-form");
  var spent = document.getElementById("spent");
  if (!form || !spent) return;
  var budget = Number(spent.dataset.budget);
  var money = new Intl.NumberFormat(document.documentElement.lang === "fr" ? "fr-FR" : "en-GB",
    {style: "currency", currency: "EUR", maximumFractionDigits: 0});
  function update() {
    var total = 0;
    form.querySelectorAll("input[data-cost]:checked").forEach(function (box) { total += Number(box.dataset.cost); });
    spent.textContent = money.format(total);
    document.getElementById("remaining").textContent = money.format(budget - total);
    document.getElementById("over").hidden = total <= budget;
  }
  form.addEventListener("change", update);
  var check = document.getElementById("check-total");
  if (check) check.hidden = true;
  update();
})();
