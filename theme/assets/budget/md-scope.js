// Material 的页面存储函数（原为 partials/javascripts/base.html 中的内联脚本，内容相同）。
// 放在文件里，网站的内容安全策略就不必允许内联脚本；base 路径来自 <script data-md-scope="…">。
__md_scope=new URL(document.currentScript.dataset.mdScope,location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
