// 表格排序（table[data-bp-sortable]：点击表头）与筛选（form[data-bp-filter="表格 id"]：输入文字、按部门或地区选择）。
// 全部项目表和首页、年度页的各部门表都用它。没有 JavaScript 时表格照常完整显示，筛选框不出现。
(() => {
  const SCALE = 6; // 合计用定点小数，避免浮点误差：金额照原文，合计也要分毫不差
  const collator = new Intl.Collator("zh-CN", { numeric: true });

  function sortable(table) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const headers = Array.from(table.tHead.rows[0].cells);

    // 每列的排序键只算一次：几千行时，在比较函数里逐次读单元格的文字要几百毫秒（手机上更久）
    const keys = new Map();

    function columnKeys(column, kind) {
      if (!keys.has(column)) {
        keys.set(
          column,
          new Map(
            rows.map((row) => {
              const text = row.cells[column].textContent.trim();
              return [row, text === "" ? null : kind === "number" ? Number(text) : text];
            }),
          ),
        );
      }
      return keys.get(column);
    }

    function sortBy(column) {
      const header = headers[column];
      const kind = header.dataset.sort;
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach((cell) => cell.setAttribute("aria-sort", "none"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const key = columnKeys(column, kind);
      const sorted = rows.slice().sort((a, b) => {
        const x = key.get(a);
        const y = key.get(b);
        if (x === null || y === null) return (x === null) - (y === null); // 空白总在最后
        const order = kind === "number" ? x - y : collator.compare(x, y);
        return ascending ? order : -order;
      });
      body.append(...sorted);
    }

    headers.forEach((header, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "bp-sort";
      button.append(...header.childNodes);
      header.append(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", () => sortBy(column));
    });
  }

  function fixed(text) {
    if (!text) return 0n;
    const negative = text.startsWith("-");
    const [whole, fraction = ""] = text.replace("-", "").split(".");
    const value = BigInt(whole + fraction.padEnd(SCALE, "0").slice(0, SCALE));
    return negative ? -value : value;
  }

  // 小数位数与原文中最多的一项相同（与网站其他地方的合计写法一致：10.00 + 0.5 = 10.50）
  function decimals(text) {
    return text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
  }

  function format(value, places) {
    const sign = value < 0n ? "-" : "";
    const digits = (value < 0n ? -value : value).toString().padStart(SCALE + 1, "0");
    const fraction = digits.slice(-SCALE).slice(0, places);
    return sign + digits.slice(0, -SCALE) + (places ? `.${fraction}` : "");
  }

  function filterable(form) {
    const table = document.getElementById(form.dataset.bpFilter);
    if (!table) return;
    const rows = Array.from(table.tBodies[0].rows);
    const totalColumn = Number(table.dataset.bpTotalColumn);
    const unit = form.dataset.bpUnit || "行";
    const text = form.elements.q;
    const selects = Array.from(form.querySelectorAll("select[data-column]"));
    const status = form.querySelector(".bp-filter-status");
    const haystack = new Map(rows.map((row) => [row, row.textContent.toLowerCase()]));

    function filter() {
      const words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let count = 0;
      let total = 0n;
      let places = 0;
      for (const row of rows) {
        const show =
          selects.every((select) => !select.value || row.cells[Number(select.dataset.column)].textContent === select.value) &&
          words.every((word) => haystack.get(row).includes(word));
        row.hidden = !show;
        if (show) {
          count += 1;
          const budget = row.cells[totalColumn].textContent.trim();
          total += fixed(budget);
          places = Math.min(SCALE, Math.max(places, decimals(budget)));
        }
      }
      status.textContent = `显示 ${count} ${unit}，预算数合计 ${format(total, places)} 万元`;
    }

    form.hidden = false;
    form.addEventListener("submit", (event) => event.preventDefault());
    text.addEventListener("input", filter);
    selects.forEach((select) => select.addEventListener("change", filter));
    filter();
  }

  document.querySelectorAll("table[data-bp-sortable]").forEach(sortable);
  document.querySelectorAll("form[data-bp-filter]").forEach(filterable);
})();
