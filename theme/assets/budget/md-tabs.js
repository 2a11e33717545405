// Material 的选项卡定位（原为 partials/javascripts/content.html 中的内联脚本，内容相同）。
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))
