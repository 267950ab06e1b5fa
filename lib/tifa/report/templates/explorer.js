(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("x-data").textContent);
  var items = data.items, groups = data.groups, colors = data.colors;
  var byName = {};
  items.forEach(function (it, i) { byName[it.t] = i; });
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function num(v, digits) {
    return Number(v).toLocaleString("zh-CN", {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }
  var input = document.getElementById("x-term"), list = document.getElementById("x-list");
  var datalist = document.getElementById("x-terms"), result = document.getElementById("x-result");
  ["提法", "词语"].forEach(function (kind) {
    var og = el("optgroup", {label: kind});
    items.forEach(function (it) {
      if (it.kind !== kind) { return; }
      og.appendChild(el("option", {value: it.t}, it.t));
      datalist.appendChild(el("option", {value: it.t}));
    });
    if (og.children.length) { list.appendChild(og); }
  });
  function show(term) {
    result.textContent = "";
    var i = byName[term];
    if (i === undefined) {
      result.appendChild(el("p", {"class": "note"}, term ? "“" + term + "”不在本简报收录的词语和提法中（见下方说明）。" : ""));
      return;
    }
    var it = items[i];
    result.appendChild(el("h3", {}, "“" + it.t + "”（" + it.kind + "）在各组中的频率：共 " + num(it.total, 0) + " 次，" + it.n_groups + " 组使用"));
    var digits = it.rows.some(function (r) { return r[2] < 10; }) ? 2 : 1;
    var top = Math.max.apply(null, it.rows.map(function (r) { return r[2]; }).concat([0]));
    var t = el("table", {"class": "rates"}), head = el("tr");
    ["组", "", it.unit + "次数", "次数"].forEach(function (h, k) { head.appendChild(el("th", k > 1 ? {"class": "num"} : {}, h)); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    it.rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", {}, groups[r[0]]));
      var bar = el("td", {"class": "bar"}), fill = el("div");
      fill.style.width = (top > 0 ? 100 * r[2] / top : 0).toFixed(1) + "%";
      fill.style.background = colors[r[0]];
      bar.appendChild(fill); tr.appendChild(bar);
      tr.appendChild(el("td", {"class": "num"}, num(r[2], digits)));
      tr.appendChild(el("td", {"class": "num"}, num(r[1], 0)));
      body.appendChild(tr);
    });
    result.appendChild(t);
    if (it.n_groups > it.rows.length) {
      result.appendChild(el("p", {"class": "note"}, "仅列出频率最高的 " + it.rows.length + " 组（共 " + it.n_groups + " 组使用）。"));
    }
    result.appendChild(el("h3", {}, "索引行（" + it.lines.length + " 行，尽量取自不同的组）"));
    var c = el("table", {"class": "kwic"}), cb = c.appendChild(el("tbody"));
    it.lines.forEach(function (l) {
      var tr = el("tr");
      tr.appendChild(el("td", {"class": "grp"}, groups[l[0]] || ""));
      tr.appendChild(el("td", {"class": "left"}, l[1]));
      tr.appendChild(el("td", {"class": "match"}, l[2]));
      tr.appendChild(el("td", {"class": "right"}, l[3]));
      cb.appendChild(tr);
    });
    result.appendChild(c);
  }
  input.addEventListener("change", function () { show(input.value.trim()); list.value = input.value.trim(); });
  input.addEventListener("input", function () { if (byName[input.value.trim()] !== undefined) { show(input.value.trim()); } });
  list.addEventListener("change", function () { input.value = list.value; show(list.value); });
  if (items.length) { input.value = list.value = items[0].t; show(items[0].t); }

  // the keyness table: sortable, filtered by target
  var key = data.keyness, table = document.getElementById("x-keyness");
  var labels = {term: "词语", target: "目标组", reference: "参照组", n_target: "目标组次数",
                n_reference: "参照组次数", g2: "G²", p: "p 值", log_ratio: "对数比"};
  var sortCol = key.columns.indexOf("g2"), sortDesc = true, target = "";
  var headRow = table.tHead.rows[0];
  key.columns.forEach(function (name, k) {
    var th = el("th", {"data-col": name, "class": k > 2 ? "num sortable" : "sortable", "role": "button", "tabindex": "0"}, labels[name] || name);
    th.addEventListener("click", function () {
      if (sortCol === k) { sortDesc = !sortDesc; } else { sortCol = k; sortDesc = k > 2; }
      renderKeyness();
    });
    headRow.appendChild(th);
  });
  var targets = document.getElementById("x-target");
  targets.appendChild(el("option", {value: ""}, "全部"));
  Array.from(new Set(key.rows.map(function (r) { return r[1]; }))).sort().forEach(function (g) {
    targets.appendChild(el("option", {value: g}, g));
  });
  targets.addEventListener("change", function () { target = targets.value; renderKeyness(); });
  function renderKeyness() {
    var rows = key.rows.filter(function (r) { return !target || r[1] === target; });
    rows.sort(function (a, b) {
      var x = a[sortCol], y = b[sortCol];
      var d = (typeof x === "number") ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return sortDesc ? -d : d;
    });
    Array.prototype.forEach.call(headRow.cells, function (th, k) {
      th.setAttribute("aria-sort", k === sortCol ? (sortDesc ? "descending" : "ascending") : "none");
      th.textContent = (labels[key.columns[k]] || key.columns[k]) + (k === sortCol ? (sortDesc ? " ▼" : " ▲") : "");
    });
    var body = table.tBodies[0];
    body.textContent = "";
    rows.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (v, k) {
        var text = k === 6 ? Number(v).toExponential(1) : (k > 4 ? num(v, 2) : (k > 2 ? num(v, 0) : v));
        tr.appendChild(el("td", k > 2 ? {"class": "num"} : {}, text));
      });
      body.appendChild(tr);
    });
  }
  renderKeyness();
})();
