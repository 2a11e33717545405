// 适老化：“大字”和“高对比”两个开关。在 <head> 中同步加载，首次绘制前就给 <html> 加上记住的样式，
// 不会先闪一下小字；按钮在页面读完后接上。选择存在 localStorage，打开其他页面时仍然有效。
(() => {
  const PREFS = { large: "bp-large", contrast: "bp-contrast" };
  const KEY = "bp-prefs";
  const root = document.documentElement;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch {
      return {}; // 浏览器禁用了存储：照常显示，只是不记住
    }
  }

  function save(prefs) {
    try {
      localStorage.setItem(KEY, JSON.stringify(prefs));
    } catch {
      // 不能存储时本页仍然生效
    }
  }

  const prefs = load();
  for (const [name, className] of Object.entries(PREFS)) {
    root.classList.toggle(className, prefs[name] === true);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-bp-pref]")) {
      const name = button.dataset.bpPref;
      if (!(name in PREFS)) continue;
      button.setAttribute("aria-pressed", String(prefs[name] === true));
      button.addEventListener("click", () => {
        prefs[name] = prefs[name] !== true;
        root.classList.toggle(PREFS[name], prefs[name]);
        button.setAttribute("aria-pressed", String(prefs[name]));
        save(prefs);
      });
    }
  });
})();
