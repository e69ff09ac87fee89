// plinth access report: filters and search, offline, no dependencies.
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var fields = ["principal", "ou", "account", "q"];
  var input = { principal: $("f-principal"), ou: $("f-ou"), account: $("f-account"), q: $("q") };
  function read() {
    var v = {};
    fields.forEach(function (f) { v[f] = input[f].value.trim(); });
    return v;
  }
  function apply() {
    var v = read(), q = v.q.toLowerCase(), acc = v.account.toLowerCase(), shown = 0;
    var rows = document.querySelectorAll("#matrix tbody tr");
    rows.forEach(function (r) {
      var ou = r.dataset.ou;
      var ok = (!v.principal || r.dataset.principal === v.principal) &&
        (!v.ou || ou === v.ou || ou.indexOf(v.ou + "/") === 0) &&
        (!acc || r.dataset.account.toLowerCase().indexOf(acc) >= 0) &&
        (!q || r.dataset.search.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    });
    $("shown").textContent = shown + " of " + rows.length + " rows";
    document.querySelectorAll("li.account").forEach(function (li) {
      li.hidden = !!q && li.dataset.search.toLowerCase().indexOf(q) < 0;
    });
    if (q) document.querySelectorAll("details.ou").forEach(function (d) { d.open = true; });
    var hash = fields.filter(function (f) { return v[f]; })
      .map(function (f) { return f + "=" + encodeURIComponent(v[f]); }).join("&");
    try { history.replaceState(null, "", hash ? "#" + hash : location.pathname); } catch (e) { /* a file: page may refuse */ }
  }
  // A link can carry the filters: report.html#principal=group:developers&ou=Workloads
  location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    if (i <= 0 || !input[kv.slice(0, i)]) return;
    try { input[kv.slice(0, i)].value = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* a malformed link: no filter */ }
  });
  fields.forEach(function (f) { input[f].addEventListener("input", apply); });
  apply();
})();
